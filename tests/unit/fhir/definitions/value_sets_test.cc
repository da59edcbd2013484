#include "fhir/definitions/value_sets.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "unit/shared_definitions.h"

namespace schakel::fhir::definitions {
namespace {

using Membership = ValueSetIndex::Membership;

constexpr std::string_view kGender = "http://hl7.org/fhir/ValueSet/administrative-gender";
constexpr std::string_view kGenderSystem = "http://hl7.org/fhir/administrative-gender";

class RealValueSetsTest : public testing::Test {
 protected:
  static const ValueSetIndex& index() { return *::schakel::test::SharedValueSets(); }
};

struct Case {
  std::string_view value_set;
  std::string_view system;
  std::string_view code;
  Membership expected;
};

void ExpectCases(const ValueSetIndex& index, std::span<const Case> cases) {
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.value_set) + " " + std::string(c.system) + "#" +
                 std::string(c.code));
    EXPECT_EQ(index.Check(c.value_set, c.system, c.code), c.expected);
  }
}

TEST_F(RealValueSetsTest, HoldsEveryRequiredBindingOfTheCoreDefinitions) {
  // 224 from resources and data types, 33 more from core profiles and extensions.
  EXPECT_EQ(index().size(), 257u);
}

TEST_F(RealValueSetsTest, AdministrativeGender) {
  const Case cases[] = {
      {kGender, "", "male", Membership::kMember},
      {kGender, "", "female", Membership::kMember},
      {kGender, "", "other", Membership::kMember},
      {kGender, "", "unknown", Membership::kMember},
      {kGender, kGenderSystem, "female", Membership::kMember},
      {kGender, "", "bogus", Membership::kNotMember},
      {kGender, "", "Male", Membership::kNotMember},  // codes are case-sensitive
      {kGender, "", "male ", Membership::kNotMember},
      {kGender, "", "", Membership::kNotMember},
      {kGender, kGenderSystem, "bogus", Membership::kNotMember},
      {kGender, "http://example.org/gender", "male", Membership::kNotMember},
  };
  ExpectCases(index(), cases);
  EXPECT_EQ(index().DescribeCodes(kGender), "male, female, other, unknown");
  EXPECT_EQ(index().DescribeCodes(kGender, 2), "male, female, ... (4 in all)");
}

TEST_F(RealValueSetsTest, ObservationStatus) {
  constexpr std::string_view kUrl = "http://hl7.org/fhir/ValueSet/observation-status";
  const Case cases[] = {
      {kUrl, "", "registered", Membership::kMember},
      {kUrl, "", "preliminary", Membership::kMember},
      {kUrl, "", "final", Membership::kMember},
      {kUrl, "", "amended", Membership::kMember},
      {kUrl, "", "corrected", Membership::kMember},  // nested under "amended" in the CodeSystem
      {kUrl, "", "cancelled", Membership::kMember},
      {kUrl, "", "entered-in-error", Membership::kMember},
      {kUrl, "", "unknown", Membership::kMember},
      {kUrl, "", "active", Membership::kNotMember},
      {kUrl, "", "FINAL", Membership::kNotMember},
  };
  ExpectCases(index(), cases);
}

TEST_F(RealValueSetsTest, ConceptListedValueSet) {
  // care-plan-intent lists four codes of http://hl7.org/fhir/request-intent, which has more.
  constexpr std::string_view kUrl = "http://hl7.org/fhir/ValueSet/care-plan-intent";
  constexpr std::string_view kSystem = "http://hl7.org/fhir/request-intent";
  const Case cases[] = {
      {kUrl, "", "proposal", Membership::kMember},
      {kUrl, "", "plan", Membership::kMember},
      {kUrl, kSystem, "order", Membership::kMember},
      {kUrl, "", "option", Membership::kMember},
      {kUrl, "", "directive", Membership::kNotMember},  // in the CodeSystem, not in the set
      {kUrl, kSystem, "original-order", Membership::kNotMember},
  };
  ExpectCases(index(), cases);
  EXPECT_EQ(index().DescribeCodes(kUrl), "proposal, plan, order, option");
}

TEST_F(RealValueSetsTest, ConceptsFromSystemsWithoutCodeSystem) {
  // units-of-time lists UCUM codes; UCUM itself is open, but the listed codes are enumerable.
  constexpr std::string_view kUrl = "http://hl7.org/fhir/ValueSet/units-of-time";
  const Case cases[] = {
      {kUrl, "", "s", Membership::kMember},
      {kUrl, "", "wk", Membership::kMember},
      {kUrl, "http://unitsofmeasure.org", "a", Membership::kMember},
      {kUrl, "", "week", Membership::kNotMember},
      {kUrl, "", "kg", Membership::kNotMember},
  };
  ExpectCases(index(), cases);
}

TEST_F(RealValueSetsTest, IsAFiltersFollowThePolyhierarchy) {
  // is-a PRN and is-a TWIN in v3-RoleCode; TWINBRO hangs below BRO by nesting and below TWIN
  // only through the 'child' property.
  constexpr std::string_view kUrl = "http://hl7.org/fhir/ValueSet/parent-relationship-codes";
  const Case cases[] = {
      {kUrl, "", "PRN", Membership::kMember},
      {kUrl, "", "MTH", Membership::kMember},
      {kUrl, "", "STPFTH", Membership::kMember},
      {kUrl, "", "TWIN", Membership::kMember},
      {kUrl, "", "TWINBRO", Membership::kMember},
      {kUrl, "", "FTWINSIS", Membership::kMember},
      {kUrl, "", "BRO", Membership::kNotMember},
      {kUrl, "", "SON", Membership::kNotMember},
      {kUrl, "", "_PersonalRelationshipRoleType", Membership::kNotMember},
  };
  ExpectCases(index(), cases);
}

TEST_F(RealValueSetsTest, AbstractCodesAreNotMembers) {
  // "question" is notSelectable in http://hl7.org/fhir/item-type.
  constexpr std::string_view kUrl = "http://hl7.org/fhir/ValueSet/item-type";
  const Case cases[] = {
      {kUrl, "", "group", Membership::kMember},
      {kUrl, "", "boolean", Membership::kMember},
      {kUrl, "", "question", Membership::kNotMember},
  };
  ExpectCases(index(), cases);
}

TEST_F(RealValueSetsTest, ValueSetsWithSeveralSystems) {
  // event-timing: the FHIR event-timing codes plus some of v3 TimingEvent.
  constexpr std::string_view kUrl = "http://hl7.org/fhir/ValueSet/event-timing";
  constexpr std::string_view kV3 = "http://terminology.hl7.org/CodeSystem/v3-TimingEvent";
  const Case cases[] = {
      {kUrl, "", "MORN", Membership::kMember},
      {kUrl, "", "AC", Membership::kMember},
      {kUrl, kV3, "AC", Membership::kMember},
      {kUrl, "http://hl7.org/fhir/event-timing", "AC", Membership::kNotMember},
      {kUrl, kV3, "MORN", Membership::kNotMember},
  };
  ExpectCases(index(), cases);
  EXPECT_EQ(index().DescribeCodes(kUrl, 1),
            "http://hl7.org/fhir/event-timing#MORN, ... (26 in all)");
}

TEST_F(RealValueSetsTest, VersionedUrlsIgnoreTheVersion) {
  const Case cases[] = {
      {"http://hl7.org/fhir/ValueSet/administrative-gender|4.0.1", "", "male", Membership::kMember},
      {"http://hl7.org/fhir/ValueSet/administrative-gender|4.0.1", "", "bogus",
       Membership::kNotMember},
      // This terminology.hl7.org set is versioned 2014-03-26, but R4 bindings say 4.0.1.
      {"http://terminology.hl7.org/ValueSet/v3-ConfidentialityClassification|4.0.1", "", "N",
       Membership::kMember},
      {"http://terminology.hl7.org/ValueSet/v3-ConfidentialityClassification|2014-03-26", "", "X",
       Membership::kNotMember},
  };
  ExpectCases(index(), cases);
  EXPECT_TRUE(index().Contains("http://hl7.org/fhir/ValueSet/administrative-gender|4.0.1"));
  EXPECT_EQ(index().DescribeCodes("http://hl7.org/fhir/ValueSet/administrative-gender|4.0.1"),
            "male, female, other, unknown");
}

TEST_F(RealValueSetsTest, OpenValueSetsAreNotCheckable) {
  constexpr std::string_view kMime = "http://hl7.org/fhir/ValueSet/mimetypes";
  constexpr std::string_view kLoinc = "http://loinc.org/vs/LL379-9";
  const Case cases[] = {
      {kMime, "", "application/fhir+json", Membership::kNotCheckable},
      {kMime, "", "anything at all", Membership::kNotCheckable},
      {kMime, "urn:ietf:bcp:13", "text/plain", Membership::kNotCheckable},
      {kMime, "http://example.org/not-mime", "text/plain", Membership::kNotMember},
      {"http://hl7.org/fhir/ValueSet/currencies|4.0.1", "", "EUR", Membership::kNotCheckable},
      {"http://hl7.org/fhir/ValueSet/ucum-units", "", "mg/dL", Membership::kNotCheckable},
      {"http://hl7.org/fhir/ValueSet/timezones", "", "Europe/Amsterdam", Membership::kNotCheckable},
      // No definition in the package, so no known systems either.
      {kLoinc, "", "LA6684-0", Membership::kNotCheckable},
      {kLoinc, "http://loinc.org", "LA6684-0", Membership::kNotCheckable},
      {kLoinc, "http://example.org", "x", Membership::kNotCheckable},
  };
  ExpectCases(index(), cases);
  EXPECT_EQ(index().DescribeCodes(kMime), "any code from urn:ietf:bcp:13");
  EXPECT_EQ(index().DescribeCodes(kLoinc), "any code");
}

TEST_F(RealValueSetsTest, UnknownValueSets) {
  const Case cases[] = {
      // Bound "preferred"/"extensible" in R4, so not in the index.
      {"http://hl7.org/fhir/ValueSet/marital-status", "", "M", Membership::kUnknownValueSet},
      {"http://hl7.org/fhir/ValueSet/administrative-gender-x", "", "male",
       Membership::kUnknownValueSet},
      {"", "", "male", Membership::kUnknownValueSet},
      {"|4.0.1", "", "male", Membership::kUnknownValueSet},
  };
  ExpectCases(index(), cases);
  EXPECT_FALSE(index().Contains("http://hl7.org/fhir/ValueSet/marital-status"));
  EXPECT_EQ(index().DescribeCodes("http://hl7.org/fhir/ValueSet/marital-status"), "");
}

TEST_F(RealValueSetsTest, LargeValueSetsAreTruncatedInMessages) {
  const std::string described =
      index().DescribeCodes("http://hl7.org/fhir/ValueSet/resource-types");
  EXPECT_EQ(described.rfind("Account, ActivityDefinition, ", 0), 0u) << described;
  EXPECT_NE(described.find(", ... (148 in all)"), std::string::npos) << described;
  EXPECT_EQ(index().DescribeCodes("http://hl7.org/fhir/ValueSet/resource-types", 0),
            "... (148 in all)");
}

// A scratch resources directory, removed afterwards.
class TempResources {
 public:
  TempResources() {
    const testing::TestInfo* info = testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("schakel-value-sets-" + std::string(info->name()) + "-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "fhir-r4");
  }
  ~TempResources() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  TempResources(const TempResources&) = delete;
  TempResources& operator=(const TempResources&) = delete;

  void Write(std::string_view content) const {
    std::ofstream out(file(), std::ios::binary);
    out << content;
  }
  std::string dir() const { return dir_.string(); }
  std::string file() const { return (dir_ / "fhir-r4" / "value-sets.ndjson").string(); }

 private:
  std::filesystem::path dir_;
};

constexpr std::string_view kClosedLine =
    R"({"url":"http://x/vs/a","version":"1","codes":[["http://x/cs","one"],["http://x/cs","two"],)"
    R"(["http://x/other","one"],["http://x/cs","one"]]})";
constexpr std::string_view kOpenLine =
    R"({"url":"http://x/vs/open","open":true,"systems":["urn:ietf:bcp:47"],"reason":"r"})";

TEST(ValueSetIndexLoadTest, LoadsAMinimalFile) {
  TempResources resources;
  resources.Write(std::string(kClosedLine) + "\n\n" + std::string(kOpenLine) + "\n");
  Result<std::shared_ptr<const ValueSetIndex>> r = ValueSetIndex::Load(resources.dir());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const ValueSetIndex& index = **r;
  EXPECT_EQ(index.size(), 2u);
  const Case cases[] = {
      {"http://x/vs/a", "", "one", Membership::kMember},
      {"http://x/vs/a", "", "two", Membership::kMember},
      {"http://x/vs/a", "http://x/other", "one", Membership::kMember},
      {"http://x/vs/a", "http://x/other", "two", Membership::kNotMember},
      {"http://x/vs/a|1", "http://x/cs", "two", Membership::kMember},
      {"http://x/vs/a", "", "three", Membership::kNotMember},
      {"http://x/vs/open", "", "nl-NL", Membership::kNotCheckable},
      {"http://x/vs/open", "urn:ietf:bcp:47", "nl-NL", Membership::kNotCheckable},
      {"http://x/vs/open", "urn:other", "nl-NL", Membership::kNotMember},
      {"http://x/vs/b", "", "one", Membership::kUnknownValueSet},
  };
  ExpectCases(index, cases);
  // Duplicates are listed once.
  EXPECT_EQ(index.DescribeCodes("http://x/vs/a"),
            "http://x/cs#one, http://x/cs#two, http://x/other#one");
  EXPECT_EQ(index.DescribeCodes("http://x/vs/open"), "any code from urn:ietf:bcp:47");
}

TEST(ValueSetIndexLoadTest, MissingFileGivesAClearError) {
  Result<std::shared_ptr<const ValueSetIndex>> r = ValueSetIndex::Load("/nonexistent/schakel");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInternal);
  const std::string message(r.status().message());
  EXPECT_NE(message.find("/nonexistent/schakel/fhir-r4/value-sets.ndjson"), std::string::npos)
      << message;
  EXPECT_NE(message.find("scripts/import-definitions"), std::string::npos) << message;
}

TEST(ValueSetIndexLoadTest, BadLinesAreNamed) {
  struct BadCase {
    std::string name;
    std::string content;
    std::string location;  // appended to the file path
    std::string message;   // a part of the error
  };
  const BadCase cases[] = {
      {"malformed JSON", std::string(kClosedLine) + "\n{\"url\": oops}\n", ":2:", ""},
      {"truncated line", std::string(kOpenLine) + "\n" + std::string(kClosedLine.substr(0, 50)),
       ":2:", ""},
      {"not an object", "[1,2]", ":1:", "expected a JSON object"},
      {"no url", R"({"codes":[["s","c"]]})", ":1:", "versionless url"},
      {"versioned url", R"({"url":"http://x|1","codes":[["s","c"]]})", ":1:", "versionless url"},
      {"twice", std::string(kClosedLine) + "\n\n" + std::string(kClosedLine),
       ":3:", "appears twice"},
      {"no codes", R"({"url":"u"})", ":1:", "neither codes nor open: true"},
      {"empty codes", R"({"url":"u","codes":[]})", ":1:", "neither codes nor open"},
      {"code not a pair", R"({"url":"u","codes":[["s"]]})", ":1:", "[system, code] pairs"},
      {"code a number", R"({"url":"u","codes":[["s",1]]})", ":1:", "[system, code] pairs"},
      {"empty code", R"({"url":"u","codes":[["s",""]]})", ":1:", "[system, code] pairs"},
      {"open false", R"({"url":"u","open":false,"codes":[["s","c"]]})", ":1:", "open must be true"},
      {"open with codes", R"({"url":"u","open":true,"systems":[],"codes":[["s","c"]]})",
       ":1:", "an open value set has systems and no codes"},
      {"open without systems", R"({"url":"u","open":true})", ":1:", "systems and no codes"},
      {"open bad system", R"({"url":"u","open":true,"systems":[1]})",
       ":1:", "systems must be non-empty strings"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.name);
    TempResources resources;
    resources.Write(c.content);
    Result<std::shared_ptr<const ValueSetIndex>> r = ValueSetIndex::Load(resources.dir());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kInternal);
    const std::string message(r.status().message());
    EXPECT_NE(message.find(resources.file() + c.location), std::string::npos) << message;
    EXPECT_NE(message.find(c.message), std::string::npos) << message;
  }
}

TEST(ValueSetIndexLoadTest, AnEmptyFileIsAnError) {
  for (std::string_view content : {"", "\n\n"}) {
    TempResources resources;
    resources.Write(content);
    Result<std::shared_ptr<const ValueSetIndex>> r = ValueSetIndex::Load(resources.dir());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(std::string(r.status().message()).find("defines no value sets"), std::string::npos);
  }
}

}  // namespace
}  // namespace schakel::fhir::definitions
