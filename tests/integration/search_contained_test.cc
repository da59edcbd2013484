// _contained and _containedType (https://hl7.org/fhir/R4/search.html#contained): contained
// resources are indexed with their container and found only when a search asks for them; the
// match comes back as the container.
#include <algorithm>
#include <string>
#include <vector>

#include "integration/search_test_support.h"

namespace schakel::integration {
namespace {

using SearchContainedTest = ServerTest;

// A MedicationStatement `id` whose medication is a contained Medication `med` with ATC `atc`.
std::string StatementWithContained(const std::string& id, const std::string& atc) {
  return R"({"resourceType":"MedicationStatement","id":")" + id +
         R"(","contained":[{"resourceType":"Medication","id":"med","code":{"coding":[)"
         R"({"system":"http://www.whocc.no/atc","code":")" +
         atc +
         R"("}]}}],"status":"active","medicationReference":{"reference":"#med"},)"
         R"("subject":{"reference":"Patient/p1"}})";
}

std::string Medication(const std::string& id, const std::string& atc) {
  return R"({"resourceType":"Medication","id":")" + id +
         R"(","code":{"coding":[{"system":"http://www.whocc.no/atc","code":")" + atc + R"("}]}})";
}

class ContainedSearch : public SearchContainedTest {
 protected:
  // The matches of `query` (all pages), as "Type/id" sorted.
  std::vector<std::string> Find(const std::string& query) {
    SearchResult result = SearchAll(client(), EncodeTarget(Fhir(query)));
    EXPECT_TRUE(result.error.empty()) << query << ": " << result.error;
    std::vector<std::string> matches = result.matches;
    std::sort(matches.begin(), matches.end());
    return matches;
  }

  void Put(const std::string& path, const std::string& body) {
    Response response = client().Put(Fhir(path), body);
    ASSERT_TRUE(response.status == 200 || response.status == 201) << path << ": " << response;
  }
};

TEST_F(ContainedSearch, ContainedResourcesAreFoundOnlyWhenAskedFor) {
  Put("MedicationStatement/ms1", StatementWithContained("ms1", "N02BE01"));
  Put("MedicationStatement/ms2", StatementWithContained("ms2", "C07AB02"));
  Put("Medication/m1", Medication("m1", "N02BE01"));
  using V = std::vector<std::string>;
  const std::string code = "code=http://www.whocc.no/atc|N02BE01";

  EXPECT_EQ(Find("Medication?" + code), V{"Medication/m1"});
  EXPECT_EQ(Find("Medication?" + code + "&_contained=false"), V{"Medication/m1"});
  EXPECT_EQ(Find("Medication?" + code + "&_contained=true"), V{"MedicationStatement/ms1"});
  EXPECT_EQ(Find("Medication?" + code + "&_contained=true&_containedType=container"),
            V{"MedicationStatement/ms1"});
  EXPECT_EQ(Find("Medication?" + code + "&_contained=both"),
            (V{"Medication/m1", "MedicationStatement/ms1"}));
  EXPECT_EQ(Find("Medication?_contained=true"),
            (V{"MedicationStatement/ms1", "MedicationStatement/ms2"}));
  EXPECT_EQ(Find("Medication?_id=med&_contained=true&_count=1"),
            (V{"MedicationStatement/ms1", "MedicationStatement/ms2"}));
  EXPECT_EQ(Find("Medication?code:text=x&_contained=true"), V{});

  // The count agrees with the pages.
  SearchPage count =
      ParseSearchPage(client().Get(Fhir("Medication?_contained=both&_summary=count")));
  ASSERT_TRUE(count.error.empty()) << count.error;
  EXPECT_EQ(count.total, 3);

  // An update that drops the contained Medication, and a delete, take its entries along.
  Put("MedicationStatement/ms1",
      R"({"resourceType":"MedicationStatement","id":"ms1","status":"active",)"
      R"("medicationCodeableConcept":{"text":"paracetamol"},"subject":{"reference":"Patient/p1"}})");
  EXPECT_EQ(Find("Medication?" + code + "&_contained=true"), V{});
  ASSERT_EQ(client().Delete(Fhir("MedicationStatement/ms2")).status, 200);
  EXPECT_EQ(Find("Medication?_contained=true"), V{});
}

TEST_F(ContainedSearch, UnsupportedAndMalformedValues) {
  // Returning the contained resources alone is not supported: ignored and reported, or a 400
  // with strict handling.
  Response lenient = client().Get(Fhir("Medication?_contained=true&_containedType=contained"));
  ASSERT_EQ(lenient.status, 200) << lenient;
  EXPECT_NE(lenient.body.find("_containedType=contained"), std::string::npos) << lenient;
  Response strict = client().Get(Fhir("Medication?_contained=true&_containedType=contained"),
                                 {{"Prefer", "handling=strict"}});
  EXPECT_EQ(strict.status, 400) << strict;
  EXPECT_EQ(client().Get(Fhir("Medication?_contained=maybe")).status, 400);
  EXPECT_EQ(client().Get(Fhir("?_contained=true")).status, 400);
}

}  // namespace
}  // namespace schakel::integration
