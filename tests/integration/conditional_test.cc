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

TEST_F(ConditionalTest, ConditionalCreateIsNotImplementedYet) {
  Response response = client().Post(Fhir("Patient"), PatientJson("Voorwaarde"),
                                    {{"If-None-Exist", "identifier=http://example.org|1"}});
  EXPECT_EQ(response.status, 501) << response;
  EXPECT_TRUE(IsOperationOutcome(response));
  EXPECT_EQ(IssueCode(response), "not-supported") << response;
  // Nothing was created.
  HistoryPage page = ParseHistoryPage(client().Get(Fhir("Patient/_history")));
  ASSERT_TRUE(page.error.empty()) << page.error;
  EXPECT_TRUE(page.entries.empty());
}

}  // namespace
}  // namespace schakel::integration
