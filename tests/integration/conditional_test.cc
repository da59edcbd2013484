// Version-aware and conditional requests: If-Match, If-None-Match, If-Modified-Since,
// If-None-Exist, conditional update and delete (also several matches, and under concurrency).
// Spec: https://hl7.org/fhir/R4/http.html#concurrency, #cread, #ccreate, #cond-update,
// #3.1.0.7.1; RFC 7232.
#include <stdlib.h>

#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "integration/test_support.h"

namespace schakel::integration {
namespace {

using ConditionalTest = ServerTest;

std::string Etag(int version) { return "W/\"" + std::to_string(version) + "\""; }

TEST_F(ConditionalTest, IfMatchOnUpdate) {
  const std::string id = CreatePatient("Match");
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(client().Put(Fhir("Patient/" + id), PatientJson("Match2", id)).status, 200);

  Response stale =
      client().Put(Fhir("Patient/" + id), PatientJson("Stale", id), {{"If-Match", Etag(1)}});
  EXPECT_EQ(stale.status, 412) << stale;
  EXPECT_TRUE(IsOperationOutcome(stale));
  EXPECT_EQ(CurrentVersion("Patient", id), 2);

  Response fresh =
      client().Put(Fhir("Patient/" + id), PatientJson("Fresh", id), {{"If-Match", Etag(2)}});
  EXPECT_EQ(fresh.status, 200) << fresh;
  EXPECT_EQ(fresh.Header("ETag"), Etag(3));
  EXPECT_EQ(StringAt(ParseJson(client().Get(Fhir("Patient/" + id)).body), "/name/0/family"),
            "Fresh");
}

TEST_F(ConditionalTest, IfMatchOnUpdateOfAMissingResourceIs412) {
  Response response = client().Put(Fhir("Patient/not-yet"), PatientJson("Nieuw", "not-yet"),
                                   {{"If-Match", Etag(1)}});
  EXPECT_EQ(response.status, 412) << response;
  EXPECT_TRUE(IsOperationOutcome(response));
  EXPECT_EQ(client().Get(Fhir("Patient/not-yet")).status, 404);
}

TEST_F(ConditionalTest, IfMatchOnDelete) {
  const std::string id = CreatePatient("Wis");
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(client().Put(Fhir("Patient/" + id), PatientJson("Wis2", id)).status, 200);

  Response stale = client().Delete(Fhir("Patient/" + id), {{"If-Match", Etag(1)}});
  EXPECT_EQ(stale.status, 412) << stale;
  EXPECT_TRUE(IsOperationOutcome(stale));
  EXPECT_EQ(client().Get(Fhir("Patient/" + id)).status, 200);

  Response fresh = client().Delete(Fhir("Patient/" + id), {{"If-Match", Etag(2)}});
  EXPECT_EQ(fresh.status, 200) << fresh;
  EXPECT_EQ(client().Get(Fhir("Patient/" + id)).status, 410);
}

TEST_F(ConditionalTest, IfNoneMatchOnRead) {
  const std::string id = CreatePatient("Cache");
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(client().Put(Fhir("Patient/" + id), PatientJson("Cache2", id)).status, 200);

  Response current = client().Get(Fhir("Patient/" + id), {{"If-None-Match", Etag(2)}});
  EXPECT_EQ(current.status, 304) << current;
  EXPECT_TRUE(current.body.empty()) << current;
  // RFC 7232 4.1: a 304 carries the ETag a 200 would have had.
  EXPECT_EQ(current.Header("ETag"), Etag(2)) << current;

  Response older = client().Get(Fhir("Patient/" + id), {{"If-None-Match", Etag(1)}});
  EXPECT_EQ(older.status, 200) << older;
  EXPECT_TRUE(IsResource(older, "Patient", id));
  EXPECT_EQ(older.Header("ETag"), Etag(2));
  // The connection is still usable after a 304.
  EXPECT_EQ(client().Get(Fhir("Patient/" + id)).status, 200);
}

TEST_F(ConditionalTest, IfModifiedSinceOnRead) {
  const std::string id = CreatePatient("Datum");
  ASSERT_FALSE(id.empty());
  Response read = client().Get(Fhir("Patient/" + id));
  ASSERT_EQ(read.status, 200) << read;
  const std::string last_modified = read.Header("Last-Modified");
  std::optional<std::int64_t> seconds = ParseHttpDate(last_modified);
  ASSERT_TRUE(seconds.has_value()) << read;

  for (const std::string& date : {last_modified, FormatHttpDate(*seconds + 86400)}) {
    SCOPED_TRACE(date);
    Response response = client().Get(Fhir("Patient/" + id), {{"If-Modified-Since", date}});
    EXPECT_EQ(response.status, 304) << response;
    EXPECT_TRUE(response.body.empty()) << response;
  }
  for (const std::string& date :
       {FormatHttpDate(*seconds - 86400), std::string("Mon, 01 Jan 2001 00:00:00 GMT")}) {
    SCOPED_TRACE(date);
    Response response = client().Get(Fhir("Patient/" + id), {{"If-Modified-Since", date}});
    EXPECT_EQ(response.status, 200) << response;
    EXPECT_TRUE(IsResource(response, "Patient", id));
  }
}

std::string PatientWithIdentifier(const std::string& family, const std::string& value) {
  return R"({"resourceType":"Patient","identifier":[{"system":"http://example.org/mrn","value":")" +
         value + R"("}],"name":[{"family":")" + family + R"("}]})";
}

// The total of a search URL (made with Fhir("Patient?...")).
int CountMatches(HttpClient& client, const std::string& url) {
  Response response = client.Get(url + "&_summary=count");
  rapidjson::Document bundle = ParseJson(response.body);
  const rapidjson::Value* total = At(bundle, "/total");
  return total != nullptr && total->IsInt() ? total->GetInt() : -1;
}

TEST_F(ConditionalTest, ConditionalCreateCreatesOnlyWhenNothingMatches) {
  const HeaderList if_none_exist = {{"If-None-Exist", "identifier=http://example.org/mrn|c1"}};
  Response first =
      client().Post(Fhir("Patient"), PatientWithIdentifier("Een", "c1"), if_none_exist);
  ASSERT_EQ(first.status, 201) << first;
  const std::string id = StringAt(ParseJson(first.body), "/id");
  // The same criteria again: 200 with the existing resource, nothing written.
  Response second =
      client().Post(Fhir("Patient"), PatientWithIdentifier("Twee", "c1"), if_none_exist);
  EXPECT_EQ(second.status, 200) << second;
  EXPECT_EQ(StringAt(ParseJson(second.body), "/id"), id);
  EXPECT_EQ(StringAt(ParseJson(second.body), "/name/0/family"), "Een");
  EXPECT_EQ(CountMatches(client(), Fhir("Patient?identifier=http://example.org/mrn|c1")), 1);
  // Two matches: 412.
  ASSERT_EQ(client().Post(Fhir("Patient"), PatientWithIdentifier("Drie", "c1")).status, 201);
  Response third =
      client().Post(Fhir("Patient"), PatientWithIdentifier("Vier", "c1"), if_none_exist);
  EXPECT_EQ(third.status, 412) << third;
  EXPECT_TRUE(IsOperationOutcome(third));
  // Criteria the server does not understand are an error, not ignored.
  Response unknown = client().Post(Fhir("Patient"), PatientWithIdentifier("Vijf", "c9"),
                                   {{"If-None-Exist", "frobnicate=1"}});
  EXPECT_EQ(unknown.status, 400) << unknown;
}

TEST_F(ConditionalTest, ConditionalUpdateCreatesUpdatesOrRefuses) {
  const std::string url = Fhir("Patient?identifier=http://example.org/mrn|u1");
  // No match: created (with a server-assigned id, as the body has none).
  Response created = client().Put(url, PatientWithIdentifier("Eerste", "u1"));
  ASSERT_EQ(created.status, 201) << created;
  const std::string id = StringAt(ParseJson(created.body), "/id");
  ASSERT_FALSE(id.empty());
  // One match: that resource is updated.
  Response updated = client().Put(url, PatientWithIdentifier("Tweede", "u1"));
  ASSERT_EQ(updated.status, 200) << updated;
  EXPECT_EQ(StringAt(ParseJson(updated.body), "/id"), id);
  EXPECT_EQ(StringAt(ParseJson(updated.body), "/meta/versionId"), "2");
  // A body id that is not the match's: 400.
  std::string wrong_id = PatientWithIdentifier("Derde", "u1");
  wrong_id.insert(1, R"("id":"someone-else",)");
  EXPECT_EQ(client().Put(url, wrong_id).status, 400);
  // Several matches: 412.
  ASSERT_EQ(client().Post(Fhir("Patient"), PatientWithIdentifier("Ander", "u1")).status, 201);
  Response several = client().Put(url, PatientWithIdentifier("Vierde", "u1"));
  EXPECT_EQ(several.status, 412) << several;
}

TEST_F(ConditionalTest, ConditionalDeleteDeletesEveryMatch) {
  Response created = client().Post(Fhir("Patient"), PatientWithIdentifier("Weg", "d1"));
  ASSERT_EQ(created.status, 201) << created;
  const std::string id = StringAt(ParseJson(created.body), "/id");
  Response deleted = client().Delete(Fhir("Patient?identifier=http://example.org/mrn|d1"));
  EXPECT_EQ(deleted.status, 200) << deleted;
  EXPECT_TRUE(IsOperationOutcome(deleted, "information"));
  EXPECT_EQ(deleted.Header("ETag"), Etag(2));  // the version that records the deletion
  EXPECT_EQ(client().Get(Fhir("Patient/" + id)).status, 410);
  // Nothing matches any more: still a success, nothing changes.
  Response again = client().Delete(Fhir("Patient?identifier=http://example.org/mrn|d1"));
  EXPECT_EQ(again.status, 200) << again;
  EXPECT_TRUE(IsOperationOutcome(again, "information"));
  EXPECT_EQ(client()
                .Delete(Fhir("Patient?identifier=http://example.org/mrn|d1"),
                        {{"Prefer", "return=minimal"}})
                .status,
            204);
  // Several (conditionalDelete "multiple"): all of them are deleted.
  std::vector<std::string> ids;
  for (const char* family : {"A", "B", "C"}) {
    Response r = client().Post(Fhir("Patient"), PatientWithIdentifier(family, "d2"));
    ASSERT_EQ(r.status, 201) << r;
    ids.push_back(StringAt(ParseJson(r.body), "/id"));
  }
  Response several = client().Delete(Fhir("Patient?identifier=http://example.org/mrn|d2"));
  EXPECT_EQ(several.status, 200) << several;
  EXPECT_EQ(several.Header("ETag"), "");  // not one resource
  EXPECT_EQ(CountMatches(client(), Fhir("Patient?identifier=http://example.org/mrn|d2")), 0);
  for (const std::string& gone : ids) EXPECT_EQ(client().Get(Fhir("Patient/" + gone)).status, 410);
  // Unknown criteria are an error, not "delete everything".
  EXPECT_EQ(client().Delete(Fhir("Patient?frobnicate=1")).status, 400);
  EXPECT_EQ(client().Delete(Fhir("Patient")).status, 400);
}

TEST_F(ConditionalTest, ConditionalUpdateDoesNotOverwriteAnUnmatchedResourceByBodyId) {
  const std::string other = CreatePatient("Ander");
  ASSERT_FALSE(other.empty());
  std::string body = PatientWithIdentifier("Kaper", "u9");
  body.insert(1, R"("id":")" + other + R"(",)");
  Response response = client().Put(Fhir("Patient?identifier=http://example.org/mrn|u9"), body);
  EXPECT_EQ(response.status, 409) << response;
  EXPECT_TRUE(IsOperationOutcome(response));
  EXPECT_EQ(CurrentVersion("Patient", other), 1);
  // A body id that is free: created there (update as create).
  std::string fresh = PatientWithIdentifier("Vrij", "u9");
  fresh.insert(1, R"("id":"chosen-id",)");
  Response created = client().Put(Fhir("Patient?identifier=http://example.org/mrn|u9"), fresh);
  EXPECT_EQ(created.status, 201) << created;
  EXPECT_EQ(ParseLocation(created.Header("Location")).id, "chosen-id");
}

// Two requests that search and then write can both find nothing and both create, unless the
// search and the write are one atomic step. Here many clients race with the same criteria.
TEST_F(ConditionalTest, ConcurrentConditionalCreatesAndUpdatesCreateOnce) {
  constexpr int kThreads = 12;
  constexpr int kRounds = 4;
  std::mutex mutex;
  std::vector<std::string> failures;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient writer(server().port());
      for (int round = 0; round < kRounds; ++round) {
        const std::string create_key = "race-c" + std::to_string(round);
        const std::string update_key = "race-u" + std::to_string(round);
        Response created =
            writer.Post(Fhir("Patient"), PatientWithIdentifier("C" + std::to_string(t), create_key),
                        {{"If-None-Exist", "identifier=http://example.org/mrn|" + create_key}});
        Response updated =
            writer.Put(Fhir("Patient?identifier=http://example.org/mrn|" + update_key),
                       PatientWithIdentifier("U" + std::to_string(t), update_key));
        std::lock_guard lock(mutex);
        if (created.status != 201 && created.status != 200) failures.push_back(created.Describe());
        if (updated.status != 201 && updated.status != 200) failures.push_back(updated.Describe());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(failures.empty()) << failures.size() << " failures, first:\n" << failures.front();
  for (int round = 0; round < kRounds; ++round) {
    const std::string n = std::to_string(round);
    EXPECT_EQ(CountMatches(client(), Fhir("Patient?identifier=http://example.org/mrn|race-c" + n)),
              1);
    EXPECT_EQ(CountMatches(client(), Fhir("Patient?identifier=http://example.org/mrn|race-u" + n)),
              1);
  }
}

// With --max-conditional-delete 2: two matches are deleted, three are 412 and stay.
class ConditionalDeleteLimitTest : public ServerTest {
 protected:
  std::vector<std::string> ServerArgs() const override { return {"--max-conditional-delete", "2"}; }
};

TEST_F(ConditionalDeleteLimitTest, MoreMatchesThanTheLimitDeleteNothing) {
  for (const char* family : {"A", "B", "C"}) {
    ASSERT_EQ(client().Post(Fhir("Patient"), PatientWithIdentifier(family, "l3")).status, 201);
  }
  Response refused = client().Delete(Fhir("Patient?identifier=http://example.org/mrn|l3"));
  EXPECT_EQ(refused.status, 412) << refused;
  EXPECT_TRUE(IsOperationOutcome(refused));
  EXPECT_NE(refused.body.find("more than 2"), std::string::npos) << refused;
  EXPECT_EQ(CountMatches(client(), Fhir("Patient?identifier=http://example.org/mrn|l3")), 3);

  for (const char* family : {"D", "E"}) {
    ASSERT_EQ(client().Post(Fhir("Patient"), PatientWithIdentifier(family, "l2")).status, 201);
  }
  Response deleted = client().Delete(Fhir("Patient?identifier=http://example.org/mrn|l2"));
  EXPECT_EQ(deleted.status, 200) << deleted;
  EXPECT_EQ(CountMatches(client(), Fhir("Patient?identifier=http://example.org/mrn|l2")), 0);
}

// SCHAKEL_MAX_CONDITIONAL_DELETE sets the limit too; 1 is R4's conditionalDelete "single".
TEST(ConditionalDeleteLimitOptionTest, EnvironmentVariableSetsTheLimit) {
  std::string dir = (std::filesystem::temp_directory_path() / "schakel-limit-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  ServerProcessOptions options;
  options.binary_override = "/usr/bin/env";
  options.argv_override = {"SCHAKEL_MAX_CONDITIONAL_DELETE=1",
                           SCHAKEL_BINARY,
                           "serve",
                           "--listen",
                           "127.0.0.1:0",
                           "--data",
                           dir + "/data",
                           "--insecure-no-auth"};
  {
    ServerProcess server(options);
    const std::string error = server.Start();
    ASSERT_TRUE(error.empty()) << error;
    HttpClient client(server.port());
    Response metadata = client.Get("/fhir/metadata");
    ASSERT_EQ(metadata.status, 200);
    EXPECT_EQ(StringAt(ParseJson(metadata.body), "/rest/0/resource/0/conditionalDelete"), "single");
    for (const char* family : {"A", "B"}) {
      ASSERT_EQ(client.Post("/fhir/Patient", PatientWithIdentifier(family, "s2")).status, 201);
    }
    EXPECT_EQ(client.Delete("/fhir/Patient?identifier=http://example.org/mrn|s2").status, 412);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace schakel::integration
