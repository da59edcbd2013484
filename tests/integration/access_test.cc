// Access control over real HTTP (server/rest/access.h): bearer tokens on every /fhir request,
// scopes per interaction, and a patient token confined to its own compartment in reads,
// searches, _include/_revinclude, history, compartment searches, batches, transactions and writes.
//
// Tokens are minted in the test with the server's own key ring (DATA/keys), as `schakel token`
// does; the flows that obtain them over HTTP are in auth_flow_test.cc.
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "fhir/json/parse.h"
#include "fhir/json/write.h"
#include "integration/test_support.h"
#include "server/auth/access_tokens.h"
#include "server/auth/base64url.h"
#include "server/cli/auth_files.h"

namespace schakel::integration {
namespace {

using server::auth::AccessTokens;
using server::auth::Principal;
using server::auth::TokenGrant;

class AccessTest : public ServerTest {
 protected:
  bool Secure() const override { return true; }
  std::vector<std::string> ServerArgs() const override { return {"--auth-housekeeping", "1"}; }

  void SetUp() override {
    ServerTest::SetUp();
    if (HasFatalFailure()) return;
    fhir::Result<server::cli::AuthFiles> files =
        server::cli::OpenAuthFiles(server().data_dir(), std::time(nullptr));
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    files_ = std::make_unique<server::cli::AuthFiles>(std::move(files).value());
    tokens_ = std::make_unique<AccessTokens>(*files_->keys, *files_->store, base(), base());
    admin_ = Token(Principal::Kind::kAdministrator, "system/*.cruds");

    // Two patients, each with an Observation; pa's has pb's as a member (an _include that must
    // not leak), and an Observation of pb has pa as its focus (a _revinclude that must not leak).
    pa_ = Create("Patient", PatientJson("Alpha"));
    pb_ = Create("Patient", PatientJson("Beta"));
    org_ = Create("Organization", R"({"resourceType":"Organization","name":"Lab"})");
    ob_ = Create("Observation", Observation(pb_, "laboratory"));
    oa_ = Create("Observation", Observation(pa_, "vital-signs",
                                            R"(,"hasMember":[{"reference":"Observation/)" + ob_ +
                                                R"("}],"performer":[{"reference":)"
                                                R"("Organization/)" +
                                                org_ + "\"}]"));
    focus_ = Create(
        "Observation",
        Observation(pb_, "laboratory", R"(,"focus":[{"reference":"Patient/)" + pa_ + "\"}]"));
  }

  std::string Token(Principal::Kind kind, const std::string& scope, const std::string& patient = "",
                    std::int64_t now = std::time(nullptr)) {
    TokenGrant grant;
    grant.kind = kind;
    grant.subject = kind == Principal::Kind::kPatient ? "Patient/" + patient : "test";
    grant.client_id = kind == Principal::Kind::kAdministrator ? "" : "test-client";
    grant.scope = scope;
    grant.patient = patient;
    if (kind == Principal::Kind::kBackend) {
      grant.organization_ura = "00000001";
      grant.organization_type = "Z3";
    }
    fhir::Result<server::auth::IssuedToken> issued = tokens_->Issue(grant, now);
    EXPECT_TRUE(issued.ok()) << issued.status().ToString();
    return issued.ok() ? issued->token : "";
  }
  std::string PatientToken(const std::string& scope) {
    return Token(Principal::Kind::kPatient, scope, pa_);
  }

  static HeaderList Bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
  }
  static HeaderList JsonBearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}, {"Content-Type", "application/fhir+json"}};
  }

  static std::string Observation(const std::string& patient, const std::string& category,
                                 const std::string& extra = "") {
    return R"({"resourceType":"Observation","status":"final","category":[{"coding":[{"system":)"
           R"("http://terminology.hl7.org/CodeSystem/observation-category","code":")" +
           category + R"("}]}],"code":{"text":"x"},"subject":{"reference":"Patient/)" + patient +
           "\"}" + extra + "}";
  }

  std::string Create(const std::string& type, const std::string& body) {
    Response r = client().Post(Fhir(type), body, JsonBearer(admin_));
    EXPECT_EQ(r.status, 201) << r;
    return ParseLocation(r.Header("Location")).id;
  }

  // The ids of the resources of a searchset Bundle, as "Type/id".
  static std::set<std::string> Ids(const Response& r) {
    std::set<std::string> ids;
    rapidjson::Document doc = ParseJson(r.body);
    if (!doc.IsObject() || !doc.HasMember("entry")) return ids;
    for (const auto& entry : doc["entry"].GetArray()) {
      if (!entry.HasMember("resource")) continue;
      const auto& resource = entry["resource"];
      ids.insert(std::string(resource["resourceType"].GetString()) + "/" +
                 resource["id"].GetString());
    }
    return ids;
  }

  std::unique_ptr<server::cli::AuthFiles> files_;
  std::unique_ptr<AccessTokens> tokens_;
  std::string admin_;
  std::string pa_, pb_, org_, oa_, ob_, focus_;
};

// --- 401: no token, or one that is not valid -----------------------------------------------

TEST_F(AccessTest, NoTokenIs401WithWwwAuthenticate) {
  Response r = client().Get(Fhir("Patient/" + pa_));
  EXPECT_EQ(r.status, 401) << r;
  EXPECT_TRUE(r.Header("WWW-Authenticate").starts_with("Bearer realm=")) << r;
  EXPECT_EQ(r.Header("WWW-Authenticate").find("error="), std::string::npos) << r;
  EXPECT_EQ(IssueCode(r), "login") << r;
  // Everything else too, writes and batches included.
  EXPECT_EQ(client().Get(Fhir("Observation")).status, 401);
  EXPECT_EQ(client().Post(Fhir("Observation"), Observation(pa_, "x")).status, 401);
  EXPECT_EQ(client().Post("/fhir", R"({"resourceType":"Bundle","type":"batch"})").status, 401);
  EXPECT_EQ(client().Get(Fhir("_history")).status, 401);
}

TEST_F(AccessTest, MetadataNeedsNoToken) { EXPECT_EQ(client().Get(Fhir("metadata")).status, 200); }

TEST_F(AccessTest, InvalidTokensAre401) {
  const std::string good = PatientToken("patient/*.rs");
  ASSERT_EQ(client().Get(Fhir("Patient/" + pa_), Bearer(good)).status, 200);

  auto refused = [&](const std::string& token, const std::string& why) {
    Response r = client().Get(Fhir("Patient/" + pa_), Bearer(token));
    EXPECT_EQ(r.status, 401) << why << "\n" << r;
    EXPECT_NE(r.Header("WWW-Authenticate").find("error=\"invalid_token\""), std::string::npos)
        << why << "\n"
        << r;
  };
  refused("not-a-jwt", "garbage");
  // A changed payload no longer matches the signature.
  const std::size_t dot1 = good.find('.');
  const std::size_t dot2 = good.find('.', dot1 + 1);
  std::optional<std::string> payload =
      server::auth::Base64UrlDecode(good.substr(dot1 + 1, dot2 - dot1 - 1));
  ASSERT_TRUE(payload.has_value());
  std::string forged = *payload;
  forged.replace(forged.find(pa_), pa_.size(), pb_);
  refused(good.substr(0, dot1 + 1) + server::auth::Base64UrlEncode(forged) + good.substr(dot2),
          "tampered payload");
  // alg: none, with the same claims.
  refused(server::auth::Base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." +
              good.substr(dot1 + 1, dot2 - dot1 - 1) + ".",
          "alg none");
  // Expired an hour ago.
  refused(Token(Principal::Kind::kPatient, "patient/*.rs", pa_, std::time(nullptr) - 7200),
          "expired");
  // Issued for another server (audience), or by another issuer.
  AccessTokens other_audience(*files_->keys, *files_->store, base(), "https://other.example/fhir");
  TokenGrant grant;
  grant.kind = Principal::Kind::kPatient;
  grant.subject = "p";
  grant.client_id = "c";
  grant.scope = "patient/*.rs";
  grant.patient = pa_;
  refused(other_audience.Issue(grant, std::time(nullptr))->token, "other audience");
  AccessTokens other_issuer(*files_->keys, *files_->store, "https://other.example/fhir", base());
  refused(other_issuer.Issue(grant, std::time(nullptr))->token, "other issuer");
  // Signed by a key that is not the server's.
  std::filesystem::create_directories(server().temp_dir() + "/foreign");
  fhir::Result<server::cli::AuthFiles> foreign =
      server::cli::OpenAuthFiles(server().temp_dir() + "/foreign", std::time(nullptr));
  ASSERT_TRUE(foreign.ok());
  AccessTokens foreign_tokens(*foreign->keys, *foreign->store, base(), base());
  refused(foreign_tokens.Issue(grant, std::time(nullptr))->token, "foreign key");
  // Another scheme.
  Response basic = client().Get(Fhir("Patient/" + pa_), {{"Authorization", "Basic YTpi"}});
  EXPECT_EQ(basic.status, 401) << basic;
}

TEST_F(AccessTest, ARevocationByAnotherProcessTakesEffect) {
  TokenGrant grant;
  grant.kind = Principal::Kind::kPatient;
  grant.subject = "p";
  grant.client_id = "c";
  grant.scope = "patient/*.rs";
  grant.patient = pa_;
  fhir::Result<server::auth::IssuedToken> issued = tokens_->Issue(grant, std::time(nullptr));
  ASSERT_TRUE(issued.ok());
  ASSERT_EQ(client().Get(Fhir("Patient/" + pa_), Bearer(issued->token)).status, 200);
  // As `schakel` commands (or a second server on the same data) would: in DATA/auth.db.
  ASSERT_TRUE(files_->store->RevokeAccessToken(issued->jti, issued->expires_at).ok());
  int status = 200;
  for (int i = 0; i < 100 && status == 200; ++i) {  // the server looks every second
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = client().Get(Fhir("Patient/" + pa_), Bearer(issued->token)).status;
  }
  EXPECT_EQ(status, 401);
}

// --- 403: scopes ---------------------------------------------------------------------------

TEST_F(AccessTest, ScopesDecidePerInteraction) {
  const std::string token = PatientToken("patient/Observation.rs");
  EXPECT_EQ(client().Get(Fhir("Observation/" + oa_), Bearer(token)).status, 200);
  Response patient = client().Get(Fhir("Patient/" + pa_), Bearer(token));
  EXPECT_EQ(patient.status, 403) << patient;
  EXPECT_EQ(IssueCode(patient), "forbidden") << patient;
  EXPECT_EQ(client().Post(Fhir("Observation"), Observation(pa_, "x"), JsonBearer(token)).status,
            403);
  EXPECT_EQ(client().Delete(Fhir("Observation/" + oa_), Bearer(token)).status, 403);
  // v1 syntax.
  const std::string v1 = PatientToken("patient/Observation.read");
  EXPECT_EQ(client().Get(Fhir("Observation?_id=" + oa_), Bearer(v1)).status, 200);
  EXPECT_EQ(client().Post(Fhir("Observation"), Observation(pa_, "x"), JsonBearer(v1)).status, 403);
  // Only administrators reindex.
  EXPECT_EQ(client().Post(Fhir("$reindex"), "", Bearer(PatientToken("patient/*.cruds"))).status,
            403);
}

// --- A patient's own data only -------------------------------------------------------------

TEST_F(AccessTest, PatientReadsOnlyTheirOwnResources) {
  const std::string token = PatientToken("patient/*.rs");
  EXPECT_EQ(client().Get(Fhir("Patient/" + pa_), Bearer(token)).status, 200);
  EXPECT_EQ(client().Get(Fhir("Observation/" + oa_), Bearer(token)).status, 200);
  // Another patient's data is 404, exactly like something that does not exist.
  Response other = client().Get(Fhir("Observation/" + ob_), Bearer(token));
  Response missing = client().Get(Fhir("Observation/does-not-exist"), Bearer(token));
  EXPECT_EQ(other.status, 404) << other;
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(client().Get(Fhir("Patient/" + pb_), Bearer(token)).status, 404);
  EXPECT_EQ(client().Get(Fhir("Observation/" + ob_ + "/_history/1"), Bearer(token)).status, 404);
  // Not in any patient's compartment.
  EXPECT_EQ(client().Get(Fhir("Organization/" + org_), Bearer(token)).status, 404);
  // Operations on an instance do not reveal it either.
  const std::string writer = PatientToken("patient/*.cruds");
  Response validate_theirs =
      client().Post(Fhir("Observation/" + ob_ + "/$validate?mode=delete"), "", Bearer(writer));
  EXPECT_EQ(validate_theirs.status, 404) << validate_theirs;
  Response validate_own =
      client().Post(Fhir("Observation/" + oa_ + "/$validate?mode=delete"), "", Bearer(writer));
  EXPECT_EQ(validate_own.status, 200) << validate_own;
}

TEST_F(AccessTest, PatientSearchesAreConfinedBeforePagingAndTotals) {
  const std::string token = PatientToken("patient/*.rs");
  Response all = client().Get(Fhir("Observation?_total=accurate&_count=1"), Bearer(token));
  ASSERT_EQ(all.status, 200) << all;
  EXPECT_EQ(Ids(all), std::set<std::string>{"Observation/" + oa_});
  EXPECT_EQ(ParseJson(all.body)["total"].GetInt(), 1) << all.body;
  EXPECT_EQ(all.body.find("\"next\""), std::string::npos) << all.body;

  Response theirs = client().Get(Fhir("Observation?subject=Patient/" + pb_), Bearer(token));
  ASSERT_EQ(theirs.status, 200);
  EXPECT_TRUE(Ids(theirs).empty()) << theirs.body;

  Response patients = client().Get(Fhir("Patient?_total=accurate"), Bearer(token));
  EXPECT_EQ(Ids(patients), std::set<std::string>{"Patient/" + pa_}) << patients.body;

  // POST _search is the same search.
  Response post = client().Post(Fhir("Observation/_search"), "category=laboratory",
                                {{"Authorization", "Bearer " + token},
                                 {"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(post.status, 200) << post;
  EXPECT_TRUE(Ids(post).empty()) << post.body;

  // Types outside the compartment, and searches across types, are refused outright.
  EXPECT_EQ(client().Get(Fhir("Organization"), Bearer(token)).status, 403);
  EXPECT_EQ(client().Get(Fhir("?_type=Observation"), Bearer(token)).status, 403);
}

TEST_F(AccessTest, PatientIncludesLeaveOutWhatIsNotTheirs) {
  const std::string token = PatientToken("patient/*.rs");
  Response included = client().Get(
      Fhir("Observation?_include=Observation:has-member&_include=Observation:performer"),
      Bearer(token));
  ASSERT_EQ(included.status, 200) << included;
  EXPECT_EQ(Ids(included), std::set<std::string>{"Observation/" + oa_}) << included.body;

  Response revincluded = client().Get(
      Fhir("Patient?_revinclude=Observation:focus&_revinclude=Observation:subject"), Bearer(token));
  ASSERT_EQ(revincluded.status, 200) << revincluded;
  EXPECT_EQ(Ids(revincluded), (std::set<std::string>{"Patient/" + pa_, "Observation/" + oa_}))
      << revincluded.body;

  // The administrator sees all of it: the test data does hold what was left out.
  Response admin = client().Get(
      Fhir("Patient?_id=" + pa_ + "&_revinclude=Observation:focus&_revinclude=Observation:subject"),
      Bearer(admin_));
  EXPECT_EQ(Ids(admin).size(), 3U) << admin.body;
}

TEST_F(AccessTest, PatientHistoryAndCompartmentSearch) {
  const std::string token = PatientToken("patient/*.rs");
  Response own = client().Get(Fhir("Observation/" + oa_ + "/_history"), Bearer(token));
  EXPECT_EQ(own.status, 200) << own;
  EXPECT_EQ(client().Get(Fhir("Observation/" + ob_ + "/_history"), Bearer(token)).status, 404);
  EXPECT_EQ(client().Get(Fhir("Observation/_history"), Bearer(token)).status, 403);
  EXPECT_EQ(client().Get(Fhir("_history"), Bearer(token)).status, 403);

  Response compartment = client().Get(Fhir("Patient/" + pa_ + "/Observation"), Bearer(token));
  ASSERT_EQ(compartment.status, 200) << compartment;
  EXPECT_EQ(Ids(compartment), std::set<std::string>{"Observation/" + oa_});
  EXPECT_EQ(client().Get(Fhir("Patient/" + pb_ + "/Observation"), Bearer(token)).status, 404);
}

TEST_F(AccessTest, PatientBatchAndTransactionEntriesAreCheckedOneByOne) {
  const std::string token = PatientToken("patient/*.cruds");
  const std::string batch = R"({"resourceType":"Bundle","type":"batch","entry":[
    {"request":{"method":"GET","url":"Observation/)" +
                            oa_ + R"("}},
    {"request":{"method":"GET","url":"Observation/)" +
                            ob_ + R"("}},
    {"request":{"method":"GET","url":"Observation?subject=Patient/)" +
                            pb_ + R"("}},
    {"request":{"method":"GET","url":"Observation/_history"}}]})";
  Response r = client().Post("/fhir", batch, JsonBearer(token));
  ASSERT_EQ(r.status, 200) << r;
  rapidjson::Document doc = ParseJson(r.body);
  EXPECT_EQ(StringAt(doc, "/entry/0/response/status").substr(0, 3), "200") << r.body;
  EXPECT_EQ(StringAt(doc, "/entry/1/response/status").substr(0, 3), "404") << r.body;
  EXPECT_EQ(StringAt(doc, "/entry/2/response/status").substr(0, 3), "200") << r.body;
  EXPECT_EQ(r.body.find(R"("id":")" + ob_), std::string::npos) << r.body;
  EXPECT_EQ(StringAt(doc, "/entry/3/response/status").substr(0, 3), "403") << r.body;

  // A transaction that writes into another patient's compartment fails as a whole.
  const std::string transaction = R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"fullUrl":"urn:uuid:1","resource":)" +
                                  Observation(pa_, "x") +
                                  R"(,"request":{"method":"POST","url":"Observation"}},
    {"fullUrl":"urn:uuid:2","resource":)" +
                                  Observation(pb_, "x") +
                                  R"(,"request":{"method":"POST","url":"Observation"}}]})";
  Response tx = client().Post("/fhir", transaction, JsonBearer(token));
  EXPECT_EQ(tx.status, 403) << tx;
  Response count = client().Get(Fhir("Observation?category=x&_total=accurate"), Bearer(admin_));
  EXPECT_EQ(ParseJson(count.body)["total"].GetInt(), 0) << count.body;
}

TEST_F(AccessTest, PatientWritesStayInTheirCompartment) {
  const std::string token = PatientToken("patient/*.cruds");
  Response own = client().Post(Fhir("Observation"), Observation(pa_, "x"), JsonBearer(token));
  EXPECT_EQ(own.status, 201) << own;
  Response other = client().Post(Fhir("Observation"), Observation(pb_, "x"), JsonBearer(token));
  EXPECT_EQ(other.status, 403) << other;
  // Taking over another patient's resource, or deleting it, finds nothing.
  std::string takeover = Observation(pa_, "x");
  takeover.insert(1, R"("id":")" + ob_ + R"(",)");
  EXPECT_EQ(client().Put(Fhir("Observation/" + ob_), takeover, JsonBearer(token)).status, 404);
  EXPECT_EQ(client().Delete(Fhir("Observation/" + ob_), Bearer(token)).status, 404);
  Response still = client().Get(Fhir("Observation/" + ob_), Bearer(admin_));
  EXPECT_EQ(still.status, 200) << still;
  EXPECT_NE(still.body.find(pb_), std::string::npos);
  // Moving one's own resource to another patient is refused too.
  std::string moved = Observation(pb_, "x");
  moved.insert(1, R"("id":")" + oa_ + R"(",)");
  EXPECT_EQ(client().Put(Fhir("Observation/" + oa_), moved, JsonBearer(token)).status, 403);
  // A new Patient is not theirs either.
  EXPECT_EQ(client().Post(Fhir("Patient"), PatientJson("Gamma"), JsonBearer(token)).status, 403);
  // A conditional create does not find (and reveal) another patient's match.
  HeaderList conditional = JsonBearer(token);
  conditional.emplace_back("If-None-Exist", "_id=" + ob_);
  Response created = client().Post(Fhir("Observation"), Observation(pa_, "y"), conditional);
  EXPECT_EQ(created.status, 201) << created;
  EXPECT_EQ(created.body.find(pb_), std::string::npos) << created.body;
}

// --- Administrator tokens are on record ----------------------------------------------------

TEST_F(AccessTest, EveryAdministratorRequestIsAnAuditEvent) {
  // SetUp made six resources with the administrator token; a patient's request is not recorded
  // this way, a refused administrator request is.
  EXPECT_EQ(client().Get(Fhir("Observation/" + oa_), Bearer(PatientToken("patient/*.rs"))).status,
            200);
  const std::string limited = Token(Principal::Kind::kAdministrator, "system/Observation.rs");
  EXPECT_EQ(client().Get(Fhir("Patient/" + pa_), Bearer(limited)).status, 403);

  Response events =
      client().Get(Fhir("AuditEvent?_total=accurate&_count=100&_sort=date"), Bearer(admin_));
  ASSERT_EQ(events.status, 200) << events;
  rapidjson::Document doc = ParseJson(events.body);
  ASSERT_EQ(doc["total"].GetInt(), 7) << events.body;
  EXPECT_EQ(StringAt(doc, "/entry/0/resource/action"), "C");
  EXPECT_EQ(StringAt(doc, "/entry/0/resource/outcome"), "0");
  EXPECT_EQ(StringAt(doc, "/entry/0/resource/subtype/0/code"), "create");
  EXPECT_EQ(StringAt(doc, "/entry/0/resource/agent/0/network/address"), "127.0.0.1");
  EXPECT_EQ(StringAt(doc, "/entry/6/resource/entity/0/what/reference"), "Patient/" + pa_);
  EXPECT_EQ(StringAt(doc, "/entry/6/resource/outcome"), "4");
  EXPECT_EQ(StringAt(doc, "/entry/6/resource/entity/0/detail/0/valueString"),
            "GET /fhir/Patient/" + pa_);
}

// --- Backends and search restrictions -------------------------------------------------------

TEST_F(AccessTest, BackendScopesWithASearchRestriction) {
  const std::string token =
      Token(Principal::Kind::kBackend, "system/Observation.rs?category=laboratory");
  Response labs = client().Get(Fhir("Observation"), Bearer(token));
  ASSERT_EQ(labs.status, 200) << labs;
  EXPECT_EQ(Ids(labs), (std::set<std::string>{"Observation/" + ob_, "Observation/" + focus_}))
      << labs.body;
  EXPECT_EQ(client().Get(Fhir("Observation/" + ob_), Bearer(token)).status, 200);
  EXPECT_EQ(client().Get(Fhir("Observation/" + oa_), Bearer(token)).status, 404);
  EXPECT_EQ(client().Get(Fhir("Patient/" + pa_), Bearer(token)).status, 403);
  // A backend's token is a system/ one: patient/ scopes give it nothing.
  const std::string patient_scoped = Token(Principal::Kind::kBackend, "patient/*.rs");
  EXPECT_EQ(client().Get(Fhir("Observation/" + oa_), Bearer(patient_scoped)).status, 403);
  // Unrestricted, a backend sees every patient's data.
  const std::string all = Token(Principal::Kind::kBackend, "system/*.rs");
  EXPECT_EQ(client().Get(Fhir("Observation/" + oa_), Bearer(all)).status, 200);
  EXPECT_EQ(client().Get(Fhir("Patient/" + pb_), Bearer(all)).status, 200);
}

}  // namespace
}  // namespace schakel::integration
