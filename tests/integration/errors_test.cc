// Bad requests: every error is an OperationOutcome with the right status, never a 500, and the
// server keeps serving.
// Spec: https://hl7.org/fhir/R4/http.html#summary (status codes), https://hl7.org/fhir/R4/json.html
#include <set>
#include <string>
#include <vector>

#include "integration/test_support.h"

namespace schakel::integration {
namespace {

using ErrorsTest = ServerTest;

struct ErrorCase {
  const char* name;
  const char* method;
  std::string path;  // below /fhir/
  std::string body;
  int status;
  int alt_status = 0;                // another acceptable status, 0 for none
  const char* code = nullptr;        // required issue[0].code, nullptr for any issue-type code
  const char* expression = nullptr;  // required issue[].expression[0] (any issue)
  bool allow = false;                // needs an Allow header
};

std::vector<ErrorCase> Cases() {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  return {
      {"malformed JSON", "POST", "Patient", R"({"resourceType": "Patient",)", 400},
      {"empty body", "POST", "Patient", "", 400},
      {"array body", "POST", "Patient", "[]", 400},
      {"string body", "POST", "Patient", R"("x")", 400},
      {"number body", "POST", "Patient", "42", 400},
      {"null body", "POST", "Patient", "null", 400},
      {"trailing garbage", "POST", "Patient", R"({"resourceType":"Patient"} x)", 400},
      {"missing resourceType", "POST", "Patient", R"({"name":[{"family":"x"}]})", 400},
      {"resourceType not a string", "POST", "Patient", R"({"resourceType":5})", 400},
      {"resourceType other than URL", "POST", "Patient",
       R"({"resourceType":"Observation","status":"final","code":{"text":"x"}})", 400},
      {"invalid UTF-8", "POST", "Patient",
       "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"\xff\xfe\"}]}", 400, 422},
      {"duplicate key", "POST", "Patient",
       R"({"resourceType":"Patient","gender":"male","gender":"female"})", 400, 422},
      {"nesting bomb", "POST", "Patient", R"({"resourceType":"Patient","extension":)" + deep + "}",
       400, 422},
      {"malformed JSON on update", "PUT", "Patient/x1", R"({"resourceType":)", 400},
      {"invalid id on update", "PUT", "Patient/a_b", PatientJson("x", "a_b"), 400, 404},
      {"unknown type", "POST", "Foo", R"({"resourceType":"Foo"})", 404},
      {"POST on an instance", "POST", "Patient/123", PatientJson("x"), 405, 0, nullptr, nullptr,
       true},
      {"PUT on metadata", "PUT", "metadata", R"({"resourceType":"CapabilityStatement"})", 405, 0,
       nullptr, nullptr, true},
      {"DELETE on system history", "DELETE", "_history", "", 405, 0, nullptr, nullptr, true},
      {"search with a malformed date", "GET", "Patient?birthdate=12-05-1970", "", 400, 0,
       "invalid"},
      {"search with an unknown prefix", "GET", "Observation?value-quantity=zz5", "", 400, 0,
       "invalid"},
      {"search with an unknown modifier", "GET", "Patient?name:fuzzy=x", "", 400, 0, "invalid"},
      {"search with a broken chain", "GET", "Observation?subject:Patient.nope=x", "", 400, 0,
       "invalid"},
      {"search chaining a token", "GET", "Patient?gender.name=x", "", 400, 0, "invalid"},
      {"search with a bad _count", "GET", "Patient?_count=many", "", 400, 0, "invalid"},
      {"search with a forged cursor", "GET", "Patient?_cursor=zzz", "", 400, 0, "invalid"},
      {"search needing terminology", "GET", "Observation?code:in=http://x/vs", "", 400, 0,
       "invalid"},
      {"bundle that is no batch or transaction", "POST", "",
       R"({"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient"}}]})",
       400, 0, "invalid"},
      {"patch of a missing resource", "PATCH", "Patient/1",
       R"({"resourceType":"Parameters","parameter":[{"name":"operation","part":[
           {"name":"type","valueCode":"delete"},{"name":"path","valueString":"Patient.gender"}]}]})",
       404, 0, "not-found"},
      {"empty string", "POST", "Patient", R"({"resourceType":"Patient","gender":""})", 422, 0,
       nullptr, "Patient.gender"},
      {"empty array", "POST", "Patient", R"({"resourceType":"Patient","name":[]})", 422, 0, nullptr,
       "Patient.name"},
      {"empty object", "POST", "Patient", R"({"resourceType":"Patient","name":[{}]})", 422, 0,
       nullptr, "Patient.name[0]"},
      {"null value", "POST", "Patient", R"({"resourceType":"Patient","birthDate":null})", 422, 0,
       nullptr, "Patient.birthDate"},
  };
}

// "GET, HEAD,PUT" -> {"GET", "HEAD", "PUT"}
std::set<std::string> Tokens(const std::string& list) {
  std::set<std::string> tokens;
  std::string token;
  for (char c : list + ",") {
    if (c == ',') {
      if (!token.empty()) tokens.insert(token);
      token.clear();
    } else if (c != ' ' && c != '\t') {
      token += c;
    }
  }
  return tokens;
}

bool HasExpression(const Response& response, const std::string& expression) {
  rapidjson::Document document = ParseJson(response.body);
  const rapidjson::Value* issues = At(document, "/issue");
  if (issues == nullptr || !issues->IsArray()) return false;
  for (const auto& issue : issues->GetArray()) {
    if (StringAt(issue, "/expression/0") == expression) return true;
  }
  return false;
}

TEST_F(ErrorsTest, EachBadRequestGetsItsStatusAndAnOperationOutcome) {
  for (const ErrorCase& c : Cases()) {
    SCOPED_TRACE(c.name);
    HeaderList headers;
    if (!c.body.empty() || std::string(c.method) == "POST" || std::string(c.method) == "PUT" ||
        std::string(c.method) == "PATCH") {
      headers.emplace_back("Content-Type", "application/fhir+json");
    }
    Response response = client().Send(c.method, Fhir(c.path), headers, c.body);
    if (c.alt_status != 0 && response.status == c.alt_status) {
      // Accepted alternative.
    } else {
      EXPECT_EQ(response.status, c.status) << response;
    }
    EXPECT_TRUE(IsOperationOutcome(response));
    if (c.code != nullptr) {
      EXPECT_EQ(IssueCode(response), c.code) << response;
    }
    if (c.expression != nullptr) {
      EXPECT_TRUE(HasExpression(response, c.expression))
          << "no issue with expression " << c.expression << response;
    }
    if (c.allow) {
      const std::set<std::string> methods = Tokens(response.Header("Allow"));
      EXPECT_EQ(methods.count("GET"), 1u) << response;
      EXPECT_EQ(methods.count(c.method), 0u) << response;
    }
    // The server is still there.
    Response metadata = client().Get(Fhir("metadata"));
    ASSERT_EQ(metadata.status, 200) << metadata;
  }
  // Nothing was stored by any of the bad requests.
  HistoryPage page = ParseHistoryPage(client().Get(Fhir("_history")));
  ASSERT_TRUE(page.error.empty()) << page.error;
  EXPECT_TRUE(page.entries.empty()) << page.entries.size() << " versions stored";
}

TEST_F(ErrorsTest, NullsAlignedWithRepeatingPrimitivesAreAllowed) {
  const std::string body = R"({"resourceType":"Patient","name":[{"family":"Uitgelijnd",
    "given":["A","B"],
    "_given":[null,{"extension":[{"url":"http://x","valueString":"y"}]}]}]})";
  Response created = client().Post(Fhir("Patient"), body);
  ASSERT_EQ(created.status, 201) << created;
  const std::string id = ParseLocation(created.Header("Location")).id;
  Response read = client().Get(Fhir("Patient/" + id));
  ASSERT_EQ(read.status, 200) << read;
  rapidjson::Document patient = ParseJson(read.body);
  EXPECT_EQ(StringAt(patient, "/name/0/given/1"), "B");
  const rapidjson::Value* first = At(patient, "/name/0/_given/0");
  EXPECT_TRUE(first != nullptr && first->IsNull()) << read;
  EXPECT_EQ(StringAt(patient, "/name/0/_given/1/extension/0/valueString"), "y") << read;
}

}  // namespace
}  // namespace schakel::integration
