// What a search answers with, against the fixed data set of search_data.cc: paging with _count
// and next links, _sort, _include/_revinclude (with :iterate and *), _summary, _elements, _total,
// search.mode, the OperationOutcome entry for ignored parameters, Prefer: handling=strict, POST
// _search, and the 400s for malformed values.
//
// Spec: https://hl7.org/fhir/R4/search.html#return, #count, #sort, #include, #revinclude,
// #summary, #elements, #total, #errors; https://hl7.org/fhir/R4/http.html#search
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "integration/search_test_support.h"

namespace schakel::integration {
namespace {

using SearchResultsTest = SearchDataTest;

constexpr std::string_view kSubsetted = "SUBSETTED";

// Whether resource `entry` (a JSON entry of a Bundle) has the SUBSETTED tag.
bool HasSubsettedTag(const rapidjson::Value& resource) {
  const rapidjson::Value* tags = At(resource, "/meta/tag");
  if (tags == nullptr || !tags->IsArray()) return false;
  for (const auto& tag : tags->GetArray()) {
    if (StringAt(tag, "/code") == kSubsetted &&
        StringAt(tag, "/system") == "http://terminology.hl7.org/CodeSystem/v3-ObservationValue") {
      return true;
    }
  }
  return false;
}

// ---- paging ---------------------------------------------------------------------------------

// Following next links gives every match exactly once, whatever the page size, and the total
// of the first page counts them all.
TEST_F(SearchResultsTest, CountAndNextLinksGiveEveryMatchOnce) {
  const std::string all_observations =
      "example f001 f002 blood-pressure bloodgroup f206 eye-color vitals-panel bmi satO2 decimal "
      "d-year d-month d-day d-sec d-next d-period d-open tz-plus1 tz-z tz-minus nosys sys-abc "
      "obs-gone";
  for (const char* count : {"1", "2", "5", "7", "23", "24", "25", "1000"}) {
    SCOPED_TRACE(count);
    SearchResult result = SearchAll(client(), Target(std::string("Observation?_count=") + count));
    ASSERT_TRUE(result.error.empty()) << result.error;
    EXPECT_TRUE(SameIds(result.matches, all_observations, "Observation"));
    EXPECT_EQ(result.total, 24);
    const int per_page = std::stoi(count);
    EXPECT_EQ(result.pages, std::max(1, (24 + per_page - 1) / per_page)) << result.body;
  }
}

TEST_F(SearchResultsTest, PageLinksAndTotal) {
  Response first = client().Get(Target("Patient?gender=male&_count=3"));
  SearchPage page = ParseSearchPage(first);
  ASSERT_TRUE(page.error.empty()) << page.error;
  EXPECT_EQ(page.matches.size(), 3u);
  EXPECT_EQ(page.total, 7);
  // self repeats the parameters used; next goes on from there.
  EXPECT_EQ(page.self.rfind(base() + "/Patient?", 0), 0u) << page.self;
  EXPECT_NE(page.self.find("gender=male"), std::string::npos) << page.self;
  EXPECT_NE(page.self.find("_count=3"), std::string::npos) << page.self;
  ASSERT_FALSE(page.next.empty()) << first;
  EXPECT_NE(page.next.find("gender=male"), std::string::npos) << page.next;

  Response second = client().Get(TargetFromUrl(page.next));
  SearchPage next = ParseSearchPage(second);
  ASSERT_TRUE(next.error.empty()) << next.error;
  EXPECT_EQ(next.matches.size(), 3u);
  for (const std::string& id : next.matches) {
    EXPECT_EQ(std::count(page.matches.begin(), page.matches.end(), id), 0) << id;
  }
  // The last page has no next link.
  Response third = client().Get(TargetFromUrl(next.next));
  SearchPage last = ParseSearchPage(third);
  ASSERT_TRUE(last.error.empty()) << last.error;
  EXPECT_EQ(last.matches.size(), 1u);
  EXPECT_TRUE(last.next.empty()) << third;
}

// The previous links lead back through the same pages: walking next to the end and then
// previous to the start gives every page again, in reverse order, and the first page has no
// previous link. With and without _sort (missing values last), and with an exact criterion,
// whose index drives the page.
TEST_F(SearchResultsTest, PreviousLinksRetraceTheNextLinks) {
  for (const char* query : {"Observation?_count=5", "Observation?_count=4&_sort=date",
                            "Observation?_count=3&_sort=-date,_id", "Patient?gender=male&_count=2",
                            "Observation?code=http://example.org/codes|date&_count=2",
                            "Observation?_count=7&_sort=-_id"}) {
    SCOPED_TRACE(query);
    std::vector<std::vector<std::string>> forward;
    std::string target = Target(query);
    SearchPage page;
    while (true) {
      page = ParseSearchPage(client().Get(target));
      ASSERT_TRUE(page.error.empty()) << page.error;
      EXPECT_EQ(page.previous.empty(), forward.empty()) << target;
      forward.push_back(page.matches);
      ASSERT_LT(forward.size(), 30u);
      if (page.next.empty()) break;
      target = TargetFromUrl(page.next);
    }
    ASSERT_GE(forward.size(), 2u) << "the query must have several pages";
    for (std::size_t i = forward.size() - 1; i > 0; --i) {
      ASSERT_FALSE(page.previous.empty()) << "page " << i;
      page = ParseSearchPage(client().Get(TargetFromUrl(page.previous)));
      ASSERT_TRUE(page.error.empty()) << page.error;
      EXPECT_EQ(page.matches, forward[i - 1]) << "page " << i - 1;
      EXPECT_FALSE(page.next.empty());
    }
    EXPECT_TRUE(page.previous.empty()) << "back on the first page: " << page.previous;
  }
}

TEST_F(SearchResultsTest, CountZeroAndTheMaximum) {
  SearchPage zero = ParseSearchPage(client().Get(Target("Patient?_count=0")));
  ASSERT_TRUE(zero.error.empty()) << zero.error;
  EXPECT_TRUE(zero.matches.empty());
  EXPECT_EQ(zero.total, 12);
  // More than the maximum is capped, not refused.
  SearchResult many = SearchAll(client(), Target("Patient?_count=100000"));
  ASSERT_TRUE(many.error.empty()) << many.error;
  EXPECT_EQ(many.matches.size(), 12u);
  EXPECT_EQ(many.pages, 1);
}

// ---- _sort ----------------------------------------------------------------------------------

struct SortRow {
  const char* query;
  const char* expected;  // in order; (a b) in either order
};

TEST_F(SearchResultsTest, Sort) {
  // birthDate: f001 1944, f201 1960, example 1974, mueller 1980-02-29, animal 2010, pat1 none.
  // family (lowest/highest): f201 Bor, example Chalmers/Windsor, pat1 Donald, mueller Müller,
  // f001 van de Heuvel, animal none. gender: animal female, the others male.
  const std::string six = "Patient?_id=example,f001,f201,animal,pat1,mueller&";
  const std::vector<SortRow> rows = {
      {"_sort=birthdate", "f001 f201 example mueller animal pat1"},
      {"_sort=-birthdate", "animal mueller example f201 f001 pat1"},
      {"_sort=family", "f201 example pat1 mueller f001 animal"},
      {"_sort=-family", "example f001 mueller pat1 f201 animal"},
      {"_sort=gender,-birthdate", "animal mueller example f201 f001 pat1"},
      {"_sort=-gender,birthdate", "f001 f201 example mueller pat1 animal"},
      {"_sort=_id", "animal example f001 f201 mueller pat1"},
      {"_sort=-_id", "pat1 mueller f201 f001 example animal"},
  };
  for (const SortRow& row : rows) {
    for (const char* count : {"", "&_count=1", "&_count=2", "&_count=4"}) {
      const std::string query = six + row.query + count;
      SCOPED_TRACE(query);
      SearchResult result = SearchAll(client(), Target(query));
      ASSERT_TRUE(result.error.empty()) << result.error;
      EXPECT_TRUE(SameIdsInOrder(result.matches, row.expected, "Patient"));
    }
  }
}

TEST_F(SearchResultsTest, SortByDate) {
  // By the start of each value ascending, by its end descending; d-year, d-month, d-day and
  // d-sec all end at 2012-12-31T23:59:59.999Z.
  const std::vector<SortRow> rows = {
      {"_sort=date", "d-year d-period d-open d-month d-day d-sec d-next"},
      {"_sort=-date", "d-open d-next (d-year d-month d-day d-sec) d-period"},
      {"_sort=-date,_id", "d-open d-next d-day d-month d-sec d-year d-period"},
  };
  for (const SortRow& row : rows) {
    for (const char* count : {"", "&_count=1", "&_count=3"}) {
      const std::string query =
          std::string("Observation?code=http://example.org/codes|date&") + row.query + count;
      SCOPED_TRACE(query);
      SearchResult result = SearchAll(client(), Target(query));
      ASSERT_TRUE(result.error.empty()) << result.error;
      EXPECT_TRUE(SameIdsInOrder(result.matches, row.expected, "Observation"));
    }
  }
}

// A search across types sorts by a parameter common to them (individual-family).
TEST_F(SearchResultsTest, SortAcrossTypes) {
  for (const char* count : {"", "&_count=1", "&_count=3"}) {
    const std::string query =
        std::string("?_type=Patient,Practitioner&_id=example,f001&_sort=family") + count;
    SCOPED_TRACE(query);
    SearchResult result = SearchAll(client(), Target(query));
    ASSERT_TRUE(result.error.empty()) << result.error;
    // Careful, Chalmers, van de Heuvel, van den Broek.
    EXPECT_TRUE(SameIdsInOrder(
        result.matches, "Practitioner/example Patient/example Patient/f001 Practitioner/f001", ""));
  }
}

// Sorting by _lastUpdated follows meta.lastUpdated (ties, when two writes share a millisecond,
// in either order).
TEST_F(SearchResultsTest, SortByLastUpdated) {
  for (const char* sort : {"_lastUpdated", "-_lastUpdated"}) {
    for (const char* count : {"", "&_count=1", "&_count=4"}) {
      const std::string query = std::string("Observation?_sort=") + sort + count;
      SCOPED_TRACE(query);
      std::vector<std::string> instants;
      std::string next = Target(query);
      std::set<std::string> seen;
      while (!next.empty()) {
        Response response = client().Get(next);
        ASSERT_EQ(response.status, 200) << response;
        rapidjson::Document bundle = ParseJson(response.body);
        const rapidjson::Value* entries = At(bundle, "/entry");
        if (entries != nullptr) {
          for (const auto& entry : entries->GetArray()) {
            EXPECT_TRUE(seen.insert(StringAt(entry, "/resource/id")).second);
            instants.push_back(StringAt(entry, "/resource/meta/lastUpdated"));
          }
        }
        next.clear();
        for (const auto& link : At(bundle, "/link")->GetArray()) {
          if (StringAt(link, "/relation") == "next") next = TargetFromUrl(StringAt(link, "/url"));
        }
      }
      ASSERT_EQ(instants.size(), 24u);
      const bool descending = sort[0] == '-';
      for (std::size_t i = 1; i < instants.size(); ++i) {
        auto previous = InstantKey(instants[i - 1]);
        auto current = InstantKey(instants[i]);
        ASSERT_TRUE(previous && current) << instants[i - 1] << " " << instants[i];
        EXPECT_TRUE(descending ? *previous >= *current : *previous <= *current)
            << instants[i - 1] << " then " << instants[i];
      }
    }
  }
}

// ---- _include and _revinclude -----------------------------------------------------------------

struct IncludeRow {
  const char* query;
  const char* matches;
  const char* includes;  // "Type/id ..."
};

TEST_F(SearchResultsTest, IncludeAndRevinclude) {
  const std::vector<IncludeRow> rows = {
      {"Observation?_id=f001&_include=Observation:subject", "f001", "Patient/f001"},
      {"Observation?_id=f001&_include=Observation:performer", "f001", "Practitioner/f005"},
      {"Observation?_id=f001&_include=*", "f001", "Patient/f001 Practitioner/f005"},
      {"Observation?_id=f001&_include=Observation:subject:Patient", "f001", "Patient/f001"},
      {"Observation?_id=f001&_include=Observation:subject:Group", "f001", ""},
      {"Observation?_id=f001,f002&_include=Observation:subject", "f001 f002", "Patient/f001"},
      {"Observation?_id=f001&_include=Observation:subject&_include:iterate=Patient:organization",
       "f001", "Patient/f001 Organization/f001"},
      // Without :iterate, Patient:organization applies to the matches only (Observations).
      {"Observation?_id=f001&_include=Observation:subject&_include=Patient:organization", "f001",
       "Patient/f001"},
      // The target of a reference that was deleted, or never existed, is not included.
      {"Observation?_id=obs-gone&_include=Observation:subject", "obs-gone", ""},
      {"Observation?_id=bloodgroup&_include=Observation:subject", "bloodgroup", ""},
      // A resource that is a match is not included again.
      {"Patient?_id=pat1&_include=Patient:link", "pat1", "Patient/pat2"},
      {"Patient?_id=pat1,pat2&_include=Patient:link", "pat1 pat2", ""},
      {"Patient?_id=f001&_revinclude=Observation:subject", "f001",
       "Observation/f001 Observation/f002"},
      {"Patient?_id=f001&_revinclude=Observation:subject&_revinclude=Encounter:subject", "f001",
       "Observation/f001 Observation/f002 Encounter/f001"},
      {"Patient?_id=gone&_revinclude=Observation:subject", "", ""},
      {"Organization?_id=f001&_revinclude=Patient:organization"
       "&_revinclude:iterate=Observation:subject",
       "f001", "Patient/f001 Patient/muller Observation/f001 Observation/f002 Observation/tz-z"},
      // subject and source both point at Patient/pat1: included once.
      {"MedicationStatement?_id=example003&_include=MedicationStatement:subject"
       "&_include=MedicationStatement:source",
       "example003", "Patient/pat1"},
  };
  for (const IncludeRow& row : rows) {
    SCOPED_TRACE(row.query);
    SearchResult result = SearchAll(client(), Target(row.query));
    ASSERT_TRUE(result.error.empty()) << result.error;
    EXPECT_TRUE(SameIds(result.matches, row.matches, TargetType(row.query)));
    EXPECT_TRUE(SameIds(result.includes, row.includes, ""));
  }
}

// Included resources come with the page of the matches that refer to them.
TEST_F(SearchResultsTest, IncludesFollowTheirPage) {
  for (const char* count : {"1", "2", "20"}) {
    SCOPED_TRACE(count);
    std::string next = Target(std::string("Observation?patient=f001,f201&_count=") + count +
                              "&_include=Observation:subject&_include=Observation:performer");
    std::set<std::string> included;
    int pages = 0;
    while (!next.empty()) {
      Response response = client().Get(next);
      SearchPage page = ParseSearchPage(response);
      ASSERT_TRUE(page.error.empty()) << page.error;
      ++pages;
      // Each included resource is the target of a match of this page.
      std::set<std::string> expected;
      for (const std::string& match : page.matches) {
        if (match == "Observation/f001" || match == "Observation/f002") {
          expected.insert("Patient/f001");
          expected.insert("Practitioner/f005");
        } else if (match == "Observation/f206") {
          expected.insert("Patient/f201");  // Practitioner/f202 is not in the data set
        }
      }
      EXPECT_EQ(std::set<std::string>(page.includes.begin(), page.includes.end()), expected)
          << response;
      EXPECT_EQ(page.includes.size(), expected.size()) << "an include repeated: " << response;
      included.insert(page.includes.begin(), page.includes.end());
      next = page.next.empty() ? "" : TargetFromUrl(page.next);
    }
    EXPECT_EQ(included,
              (std::set<std::string>{"Patient/f001", "Practitioner/f005", "Patient/f201"}));
    EXPECT_EQ(pages, (3 + std::stoi(count) - 1) / std::stoi(count));
  }
}

// The search Bundle in XML too (https://hl7.org/fhir/R4/formats.html).
TEST_F(SearchResultsTest, SearchsetInXml) {
  Response response = client().Get(Target("Patient?_id=example,f001&_count=1&_format=xml"));
  ASSERT_EQ(response.status, 200) << response;
  EXPECT_EQ(NormalizeMediaType(response.Header("Content-Type")),
            "application/fhir+xml;charset=utf-8");
  EXPECT_NE(response.body.find("<Bundle xmlns=\"http://hl7.org/fhir\">"), std::string::npos)
      << response;
  EXPECT_NE(response.body.find("<type value=\"searchset\"/>"), std::string::npos) << response;
  EXPECT_NE(response.body.find("<relation value=\"next\"/>"), std::string::npos) << response;
  EXPECT_NE(response.body.find("<mode value=\"match\"/>"), std::string::npos) << response;
  EXPECT_NE(response.body.find("<Patient>"), std::string::npos) << response;
}

// ---- _summary, _elements, _total ---------------------------------------------------------------

TEST_F(SearchResultsTest, SummaryCount) {
  Response response = client().Get(Target("Observation?code=http://loinc.org|&_summary=count"));
  SearchPage page = ParseSearchPage(response);
  ASSERT_TRUE(page.error.empty()) << page.error;
  EXPECT_EQ(page.total, 9);
  EXPECT_TRUE(page.matches.empty()) << response;
  EXPECT_EQ(At(ParseJson(response.body), "/entry"), nullptr) << response;
  EXPECT_TRUE(page.next.empty()) << response;
}

TEST_F(SearchResultsTest, SummaryTrueDataTextAndElements) {
  // Patient.name, gender and birthDate are summary elements; contact, communication and text
  // are not.
  Response summary = client().Get(Target("Patient?_id=example&_summary=true"));
  ASSERT_EQ(summary.status, 200) << summary;
  rapidjson::Document bundle = ParseJson(summary.body);
  const rapidjson::Value* resource = At(bundle, "/entry/0/resource");
  ASSERT_NE(resource, nullptr) << summary;
  EXPECT_TRUE(HasSubsettedTag(*resource)) << ToJson(*resource);
  EXPECT_EQ(StringAt(*resource, "/id"), "example");
  EXPECT_EQ(StringAt(*resource, "/gender"), "male");
  EXPECT_NE(At(*resource, "/name"), nullptr);
  EXPECT_EQ(At(*resource, "/contact"), nullptr) << ToJson(*resource);
  EXPECT_EQ(At(*resource, "/text"), nullptr) << ToJson(*resource);

  Response data = client().Get(Target("Patient?_id=example&_summary=data"));
  bundle = ParseJson(data.body);
  resource = At(bundle, "/entry/0/resource");
  ASSERT_NE(resource, nullptr) << data;
  EXPECT_EQ(At(*resource, "/text"), nullptr) << ToJson(*resource);
  EXPECT_NE(At(*resource, "/contact"), nullptr) << ToJson(*resource);
  EXPECT_TRUE(HasSubsettedTag(*resource));

  Response text = client().Get(Target("Patient?_id=example&_summary=text"));
  bundle = ParseJson(text.body);
  resource = At(bundle, "/entry/0/resource");
  ASSERT_NE(resource, nullptr) << text;
  EXPECT_NE(At(*resource, "/text"), nullptr) << ToJson(*resource);
  EXPECT_EQ(At(*resource, "/name"), nullptr) << ToJson(*resource);
  EXPECT_TRUE(HasSubsettedTag(*resource));

  Response elements = client().Get(Target("Patient?_id=example&_elements=gender,birthDate"));
  bundle = ParseJson(elements.body);
  resource = At(bundle, "/entry/0/resource");
  ASSERT_NE(resource, nullptr) << elements;
  EXPECT_EQ(StringAt(*resource, "/resourceType"), "Patient");
  EXPECT_EQ(StringAt(*resource, "/id"), "example");
  EXPECT_EQ(StringAt(*resource, "/gender"), "male");
  EXPECT_EQ(StringAt(*resource, "/birthDate"), "1974-12-25");
  EXPECT_EQ(At(*resource, "/name"), nullptr) << ToJson(*resource);
  EXPECT_EQ(At(*resource, "/active"), nullptr) << ToJson(*resource);
  EXPECT_TRUE(HasSubsettedTag(*resource));

  // Without _summary or _elements the resource is whole and not tagged.
  Response whole = client().Get(Target("Patient?_id=example"));
  bundle = ParseJson(whole.body);
  resource = At(bundle, "/entry/0/resource");
  ASSERT_NE(resource, nullptr) << whole;
  EXPECT_FALSE(HasSubsettedTag(*resource));
  EXPECT_NE(At(*resource, "/contact"), nullptr);
}

TEST_F(SearchResultsTest, Total) {
  SearchPage none = ParseSearchPage(client().Get(Target("Patient?gender=male&_total=none")));
  ASSERT_TRUE(none.error.empty()) << none.error;
  EXPECT_FALSE(none.total.has_value());
  EXPECT_EQ(none.matches.size(), 7u);
  for (const char* total : {"accurate", "estimate"}) {
    SearchPage page = ParseSearchPage(
        client().Get(Target(std::string("Patient?gender=male&_count=2&_total=") + total)));
    ASSERT_TRUE(page.error.empty()) << page.error;
    EXPECT_EQ(page.total, 7) << total;
  }
}

// ---- entries, outcome, strict handling ---------------------------------------------------------

TEST_F(SearchResultsTest, EntriesHaveFullUrlAndSearchMode) {
  Response response = client().Get(Target("Observation?_id=f001&_include=Observation:subject"));
  rapidjson::Document bundle = ParseJson(response.body);
  ASSERT_EQ(response.status, 200) << response;
  EXPECT_EQ(StringAt(bundle, "/entry/0/fullUrl"), base() + "/Observation/f001");
  EXPECT_EQ(StringAt(bundle, "/entry/0/search/mode"), "match");
  EXPECT_EQ(StringAt(bundle, "/entry/1/fullUrl"), base() + "/Patient/f001");
  EXPECT_EQ(StringAt(bundle, "/entry/1/search/mode"), "include");
  EXPECT_EQ(At(bundle, "/entry/2"), nullptr);
  // The total counts matches, not included resources.
  EXPECT_EQ(At(bundle, "/total")->GetInt(), 1);
}

TEST_F(SearchResultsTest, UnknownParameterIsIgnoredWithAnOutcome) {
  for (const HeaderList& headers : {HeaderList{}, HeaderList{{"Prefer", "handling=lenient"}}}) {
    SearchResult result = SearchAll(client(), Target("Patient?_id=example&frobnicate=1"), headers);
    ASSERT_TRUE(result.error.empty()) << result.error;
    EXPECT_TRUE(SameIds(result.matches, "example", "Patient"));
    ASSERT_EQ(result.outcomes.size(), 1u) << result.body;
    EXPECT_NE(result.outcomes[0].find("frobnicate"), std::string::npos) << result.outcomes[0];
    rapidjson::Document bundle = ParseJson(result.body);
    // The outcome entry is an OperationOutcome with a warning, and the self link leaves the
    // ignored parameter out.
    EXPECT_EQ(StringAt(bundle, "/entry/1/resource/issue/0/severity"), "warning");
    EXPECT_TRUE(IsIssueTypeCode(StringAt(bundle, "/entry/1/resource/issue/0/code")));
    const std::string self = StringAt(bundle, "/link/0/url");
    EXPECT_EQ(self.find("frobnicate"), std::string::npos) << self;
  }
}

// Parameters the server knows but does not support are ignored and reported just like unknown
// ones (https://hl7.org/fhir/R4/search.html#errors), and refused under strict handling.
TEST_F(SearchResultsTest, UnsupportedParametersAreReportedOrRefused) {
  for (const char* parameter : {"_text=x", "_content=x", "_list=x", "_query=x", "_filter=name eq x",
                                "_containedType=contained"}) {
    SCOPED_TRACE(parameter);
    const std::string name = std::string(parameter).substr(0, std::string(parameter).find('='));
    SearchResult result =
        SearchAll(client(), Target(std::string("Patient?_id=example&") + parameter));
    ASSERT_TRUE(result.error.empty()) << result.error;
    EXPECT_TRUE(SameIds(result.matches, "example", "Patient"));
    ASSERT_EQ(result.outcomes.size(), 1u) << result.body;
    EXPECT_NE(result.outcomes[0].find(name), std::string::npos) << result.outcomes[0];
    rapidjson::Document bundle = ParseJson(result.body);
    EXPECT_EQ(StringAt(bundle, "/link/0/url").find(name), std::string::npos)
        << "the self link lists a parameter that was not used: " << StringAt(bundle, "/link/0/url");

    Response strict = client().Get(Target(std::string("Patient?_id=example&") + parameter),
                                   {{"Prefer", "handling=strict"}});
    EXPECT_EQ(strict.status, 400) << strict;
    EXPECT_TRUE(IsOperationOutcome(strict)) << strict;
  }
  // _contained=false asks for what the server does anyway.
  SearchResult plain = SearchAll(client(), Target("Patient?_id=example&_contained=false"));
  ASSERT_TRUE(plain.error.empty()) << plain.error;
  EXPECT_TRUE(plain.outcomes.empty());
}

TEST_F(SearchResultsTest, StrictHandlingRefusesAnUnknownParameter) {
  Response response =
      client().Get(Target("Patient?_id=example&frobnicate=1"), {{"Prefer", "handling=strict"}});
  EXPECT_EQ(response.status, 400) << response;
  EXPECT_TRUE(IsOperationOutcome(response));
  EXPECT_NE(response.body.find("frobnicate"), std::string::npos) << response;
  // Known parameters are fine under strict handling.
  Response known = client().Get(Target("Patient?_id=example"), {{"Prefer", "handling=strict"}});
  EXPECT_EQ(known.status, 200) << known;
}

// ---- POST _search -----------------------------------------------------------------------------

TEST_F(SearchResultsTest, PostSearchWithAFormBody) {
  const HeaderList form = {{"Content-Type", "application/x-www-form-urlencoded"}};
  Response response = client().Post("/fhir/Patient/_search", "name=peter", form);
  SearchPage page = ParseSearchPage(response);
  ASSERT_TRUE(page.error.empty()) << page.error;
  EXPECT_TRUE(SameIds(page.matches, "example", "Patient"));

  // Parameters in the URL and the body combine; '+' is a space in a form body.
  response = client().Post("/fhir/Patient/_search?gender=male", "birthdate=lt1950", form);
  page = ParseSearchPage(response);
  ASSERT_TRUE(page.error.empty()) << page.error;
  EXPECT_TRUE(SameIds(page.matches, "f001 xcda glossy", "Patient"));
  response = client().Post("/fhir/Patient/_search", "family=van+de", form);
  page = ParseSearchPage(response);
  ASSERT_TRUE(page.error.empty()) << page.error;
  EXPECT_TRUE(SameIds(page.matches, "f001", "Patient"));

  // Paging continues with GET on the type's URL.
  response = client().Post("/fhir/Patient/_search", "gender=male&_count=2", form);
  page = ParseSearchPage(response);
  ASSERT_TRUE(page.error.empty()) << page.error;
  ASSERT_FALSE(page.next.empty()) << response;
  EXPECT_EQ(page.next.rfind(base() + "/Patient?", 0), 0u) << page.next;
  SearchResult rest = SearchAll(client(), TargetFromUrl(page.next));
  ASSERT_TRUE(rest.error.empty()) << rest.error;
  std::vector<std::string> all = page.matches;
  all.insert(all.end(), rest.matches.begin(), rest.matches.end());
  EXPECT_TRUE(SameIds(all, "example f001 f201 pat1 xcda glossy mueller", "Patient"));

  // Another body type is refused.
  Response json = client().Post("/fhir/Patient/_search", R"({"name":"peter"})");
  EXPECT_EQ(json.status, 415) << json;
}

// ---- errors -----------------------------------------------------------------------------------

struct ErrorRow {
  const char* query;
  const char* names;  // what the diagnostics must mention
};

TEST_F(SearchResultsTest, MalformedValuesAre400NamingTheParameter) {
  const std::vector<ErrorRow> rows = {
      {"Observation?date=2013-13-45", "date"},
      {"Observation?date=xx2013", "date"},
      {"Observation?date=2013-01-14T25:00:00Z", "date"},
      {"RiskAssessment?probability=abc", "probability"},
      {"RiskAssessment?probability=zz100", "probability"},
      {"Observation?value-quantity=5|x", "value-quantity"},
      {"Observation?value-quantity=five", "value-quantity"},
      {"Observation?subject.foo=bar", "subject.foo"},
      {"Observation?subject:Patient.nonexistent=x", "subject:Patient.nonexistent"},
      {"Observation?status.name=x", "status.name"},
      {"Observation?subject=Patient/a/b/c", "subject"},
      {"Patient?name:foo=x", "name:foo"},
      {"Patient?gender:in=http://example.org/vs", "gender:in"},
      {"Patient?gender:below=male", "gender:below"},
      {"Patient?birthdate:exact=1980", "birthdate:exact"},
      {"Patient?birthdate:missing=maybe", "birthdate:missing"},
      {"Patient?gender=", "gender"},
      {"Patient?_count=abc", "_count"},
      {"Patient?_count=-1", "_count"},
      {"Patient?_cursor=garbage", "_cursor"},
      {"Patient?_cursor=k12.x1", "_cursor"},
      {"Patient?_cursor=k12.s5:abc", "_cursor"},
      // A cursor of a search with another _sort.
      {"Patient?_sort=family&_cursor=r5", "_cursor"},
      {"Patient?_cursor=k5.s3:abc", "_cursor"},
      {"Patient?_sort=nonexistent", "_sort"},
      {"Patient?_include=Patient:nonexistent", "_include"},
      {"Patient?_include=Nonexistent:subject", "_include"},
      {"Patient?_revinclude=Observation", "_revinclude"},
      {"Patient?_summary=maybe", "_summary"},
      {"Patient?_total=some", "_total"},
      {"Patient?_has:Observation:patient=x", "_has"},
      {"Patient?_has:Observation:nonexistent:code=x", "_has"},
      {"Observation?code-value-quantity=http://loinc.org|15074-8", "code-value-quantity"},
      {"?_type=NotAType", "_type"},
      {"Observation?date=2013-01-14T10Z", "date"},
      {"Patient?_sort=-", "_sort"},
      {"Observation?_sort=code-value-quantity", "_sort"},
      {"Patient?_has:Observation:encounter:code=x", "_has:Observation:encounter:code"},
      {"Observation?subject:Patient.organization.partof.partof.name=x",
       "subject:Patient.organization.partof.partof.name"},
      {"Observation?subject=", "subject"},
      {"Patient?_type=Patient", "_type"},
  };
  // Bounds: 100 ORed values per parameter, 100 parameters per search.
  std::string values = "Patient?_id=a";
  for (int i = 0; i < 100; ++i) values += ",a" + std::to_string(i);
  std::string parameters = "Patient?_id=a";
  for (int i = 0; i < 100; ++i) parameters += "&_id=a" + std::to_string(i);
  std::vector<ErrorRow> all = rows;
  all.push_back({values.c_str(), "_id"});
  all.push_back({parameters.c_str(), ""});
  for (const ErrorRow& row : all) {
    SCOPED_TRACE(row.query);
    Response response = client().Get(Target(row.query));
    EXPECT_EQ(response.status, 400) << response;
    EXPECT_TRUE(IsOperationOutcome(response)) << response;
    EXPECT_EQ(IssueCode(response), "invalid") << response;
    rapidjson::Document outcome = ParseJson(response.body);
    const std::string diagnostics = StringAt(outcome, "/issue/0/diagnostics");
    if (*row.names != '\0') {
      EXPECT_NE(diagnostics.find(std::string("'") + row.names), std::string::npos) << diagnostics;
    }
  }
}

}  // namespace
}  // namespace schakel::integration
