// Version-aware and conditional requests: If-Match, If-None-Match, If-Modified-Since,
// If-None-Exist.
// Spec: https://hl7.org/fhir/R4/http.html#concurrency, #cread, #ccreate; RFC 7232.
#include <string>

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

TEST_F(ConditionalTest, ConditionalDeleteDeletesTheOneMatch) {
  Response created = client().Post(Fhir("Patient"), PatientWithIdentifier("Weg", "d1"));
  ASSERT_EQ(created.status, 201) << created;
  const std::string id = StringAt(ParseJson(created.body), "/id");
  Response deleted = client().Delete(Fhir("Patient?identifier=http://example.org/mrn|d1"));
  EXPECT_EQ(deleted.status, 200) << deleted;
  EXPECT_EQ(client().Get(Fhir("Patient/" + id)).status, 410);
  // Nothing matches any more: still a success, nothing changes.
  Response again = client().Delete(Fhir("Patient?identifier=http://example.org/mrn|d1"));
  EXPECT_EQ(again.status, 200) << again;
  // Several: 412, and both stay.
  ASSERT_EQ(client().Post(Fhir("Patient"), PatientWithIdentifier("A", "d2")).status, 201);
  ASSERT_EQ(client().Post(Fhir("Patient"), PatientWithIdentifier("B", "d2")).status, 201);
  EXPECT_EQ(client().Delete(Fhir("Patient?identifier=http://example.org/mrn|d2")).status, 412);
  EXPECT_EQ(CountMatches(client(), Fhir("Patient?identifier=http://example.org/mrn|d2")), 2);
}

}  // namespace
}  // namespace schakel::integration
