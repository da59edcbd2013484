#include "fhir/search/search_parameter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fhir/json/parse.h"
#include "tests/unit/fhir/search/search_fixture.h"
#include "unit/shared_definitions.h"

namespace schakel::fhir::search {
namespace {

using schakel::test::SharedRegistry;
using schakel::test::SharedSearchParameters;
using schakel::test::SharedSearchParameterWarnings;
using testing::HasSubstr;

constexpr std::string_view kCorePrefix = "http://hl7.org/fhir/SearchParameter/";

json::Value ParseJson(std::string_view text) {
  Result<json::Value> parsed = json::Parse(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? std::move(parsed).value() : json::Value();
}

TEST(ParamTypeTest, NamesRoundTrip) {
  for (ParamType type : {ParamType::kNumber, ParamType::kDate, ParamType::kString,
                         ParamType::kToken, ParamType::kReference, ParamType::kComposite,
                         ParamType::kQuantity, ParamType::kUri, ParamType::kSpecial}) {
    std::optional<ParamType> back = ParamTypeFromName(ParamTypeName(type));
    ASSERT_TRUE(back.has_value()) << ParamTypeName(type);
    EXPECT_EQ(*back, type);
  }
  EXPECT_EQ(ParamTypeName(ParamType::kQuantity), "quantity");
  EXPECT_FALSE(ParamTypeFromName("Token").has_value());
  EXPECT_FALSE(ParamTypeFromName("").has_value());
}

TEST(SearchParameterRegistryTest, LoadsEveryCoreParameter) {
  const SearchParameterRegistry& params = SharedSearchParameters();
  EXPECT_GE(params.size(), 1400u);
}

TEST(SearchParameterRegistryTest, FindsTypeSpecificParameters) {
  const SearchParameterRegistry& params = SharedSearchParameters();
  struct Case {
    std::string_view type, code, id;
    ParamType param_type;
  };
  const Case cases[] = {
      {"Patient", "name", "Patient-name", ParamType::kString},
      {"Patient", "birthdate", "individual-birthdate", ParamType::kDate},
      {"Patient", "gender", "individual-gender", ParamType::kToken},
      {"Observation", "code", "clinical-code", ParamType::kToken},
      {"Observation", "value-quantity", "Observation-value-quantity", ParamType::kQuantity},
      {"Observation", "code-value-quantity", "Observation-code-value-quantity",
       ParamType::kComposite},
      {"Observation", "patient", "clinical-patient", ParamType::kReference},
      {"MedicationStatement", "patient", "clinical-patient", ParamType::kReference},
      {"RiskAssessment", "probability", "RiskAssessment-probability", ParamType::kNumber},
      {"ValueSet", "url", "conformance-url", ParamType::kUri},
      {"Location", "near", "Location-near", ParamType::kSpecial},
      // The R4 package's example parameter reuses Condition's `subject`; the core one wins.
      {"Condition", "subject", "Condition-subject", ParamType::kReference},
  };
  for (const Case& c : cases) {
    const SearchParameter* p = params.Find(c.type, c.code);
    ASSERT_NE(p, nullptr) << c.type << "?" << c.code;
    EXPECT_EQ(p->id, c.id) << c.type << "?" << c.code;
    EXPECT_EQ(p->type, c.param_type) << c.type << "?" << c.code;
    EXPECT_EQ(p->code, c.code);
  }
  EXPECT_EQ(params.Find("Patient", "no-such-parameter"), nullptr);
  EXPECT_EQ(params.Find("Patient", "code"), nullptr);
  EXPECT_EQ(params.Find("NoSuchType", "name"), nullptr);
}

TEST(SearchParameterRegistryTest, FindsCommonParametersForEveryResourceType) {
  const SearchParameterRegistry& params = SharedSearchParameters();
  for (std::string_view type : {"Patient", "Observation", "Bundle", "Binary", "Resource"}) {
    const SearchParameter* id = params.Find(type, "_id");
    ASSERT_NE(id, nullptr) << type;
    EXPECT_EQ(id->id, "Resource-id") << "the core one, not the R4 example parameter";
    for (std::string_view code : {"_lastUpdated", "_tag", "_profile", "_security", "_source"}) {
      const SearchParameter* p = params.Find(type, code);
      ASSERT_NE(p, nullptr) << type << "?" << code;
      EXPECT_EQ(p->base, std::vector<std::string>{"Resource"});
    }
  }
  // _text is defined on DomainResource: Bundle and Binary are not domain resources.
  ASSERT_NE(params.Find("Patient", "_text"), nullptr);
  EXPECT_EQ(params.Find("Patient", "_text")->id, "DomainResource-text");
  EXPECT_EQ(params.Find("Bundle", "_text"), nullptr);
  EXPECT_EQ(params.Find("Binary", "_text"), nullptr);
  // No expression: known, but not indexable.
  EXPECT_FALSE(params.Find("Patient", "_text")->indexable());
  EXPECT_FALSE(params.Find("Patient", "_text")->problem.empty());
}

TEST(SearchParameterRegistryTest, ForTypeMergesCommonAndSpecificParametersByCode) {
  const SearchParameterRegistry& params = SharedSearchParameters();
  std::vector<const SearchParameter*> patient = params.ForType("Patient");
  std::vector<std::string> codes;
  for (const SearchParameter* p : patient) codes.push_back(p->code);
  EXPECT_TRUE(std::is_sorted(codes.begin(), codes.end()));
  EXPECT_TRUE(std::adjacent_find(codes.begin(), codes.end()) == codes.end()) << "duplicate code";
  for (std::string_view code : {"_id", "_lastUpdated", "_tag", "_text", "name", "birthdate",
                                "identifier", "general-practitioner", "organization"}) {
    EXPECT_NE(std::find(codes.begin(), codes.end(), code), codes.end()) << code;
  }
  for (const SearchParameter* p : patient) {
    EXPECT_EQ(p, params.Find("Patient", p->code)) << p->code;
  }
  std::vector<const SearchParameter*> bundle = params.ForType("Bundle");
  for (const SearchParameter* p : bundle) EXPECT_NE(p->code, "_text");
  EXPECT_TRUE(params.ForType("NoSuchType").empty());
}

TEST(SearchParameterRegistryTest, FindsByUrl) {
  const SearchParameterRegistry& params = SharedSearchParameters();
  const SearchParameter* p = params.FindByUrl(std::string(kCorePrefix) + "clinical-code");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->id, "clinical-code");
  EXPECT_EQ(p, params.Find("Observation", "code"));
  EXPECT_EQ(params.FindByUrl(std::string(kCorePrefix) + "nope"), nullptr);
  EXPECT_EQ(params.FindByUrl(""), nullptr);
}

TEST(SearchParameterRegistryTest, ParsesAndChecksExpressions) {
  const SearchParameterRegistry& params = SharedSearchParameters();
  const SearchParameter* p = params.Find("Patient", "general-practitioner");
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->indexable()) << p->problem;
  EXPECT_EQ(p->expression_text, "Patient.generalPractitioner");
  ASSERT_TRUE(p->expression.has_value());
  EXPECT_EQ(p->expression->text(), p->expression_text);
  EXPECT_EQ(p->targets,
            (std::vector<std::string>{"Practitioner", "Organization", "PractitionerRole"}));
  // A parameter on many bases is checked against each of them.
  const SearchParameter* clinical = params.Find("Observation", "patient");
  ASSERT_NE(clinical, nullptr);
  EXPECT_GT(clinical->base.size(), 10u);
  EXPECT_TRUE(clinical->indexable()) << clinical->problem;
}

TEST(SearchParameterRegistryTest, ResolvesCompositeComponents) {
  const SearchParameterRegistry& params = SharedSearchParameters();
  const SearchParameter* p = params.Find("Observation", "code-value-quantity");
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->indexable()) << p->problem;
  ASSERT_EQ(p->components.size(), 2u);
  EXPECT_EQ(p->components[0].param, params.FindByUrl(std::string(kCorePrefix) + "clinical-code"));
  EXPECT_EQ(p->components[1].param,
            params.FindByUrl(std::string(kCorePrefix) + "Observation-value-quantity"));
  EXPECT_EQ(p->components[0].expression_text, "code");
  ASSERT_TRUE(p->components[1].expression.has_value());
  EXPECT_EQ(p->components[1].expression->text(), "value.as(Quantity)");

  // Every composite of the core package resolves all its components.
  std::size_t composites = 0;
  for (const SearchParameter* q : params.ForType("Observation")) {
    if (q->type != ParamType::kComposite) continue;
    ++composites;
    EXPECT_TRUE(q->indexable()) << q->id << ": " << q->problem;
    for (const CompositeComponent& c : q->components) {
      EXPECT_NE(c.param, nullptr) << q->id << " " << c.definition;
      EXPECT_TRUE(c.expression.has_value()) << q->id << " " << c.expression_text;
    }
  }
  EXPECT_EQ(composites, 8u);
}

TEST(SearchParameterRegistryTest, MarksTheKnownDefectsNotIndexable) {
  const SearchParameterRegistry& params = SharedSearchParameters();
  // R4 calls hasExtension(), which FHIRPath does not define (it is has Extension()).
  const SearchParameter* p = params.Find("QuestionnaireResponse", "item-subject");
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(p->indexable());
  EXPECT_FALSE(p->expression.has_value());
  EXPECT_THAT(p->problem, HasSubstr("hasExtension"));
  EXPECT_FALSE(p->expression_text.empty()) << "the text is kept for messages";
  const std::vector<std::string>& warnings = SharedSearchParameterWarnings();
  EXPECT_TRUE(std::any_of(warnings.begin(), warnings.end(), [](const std::string& w) {
    return w.find("item-subject") != std::string::npos &&
           w.find("hasExtension") != std::string::npos;
  }));

  // Which parameters are not indexable, and why, so that a regression in the FHIRPath checker
  // (or a new defect) shows up here.
  std::vector<std::string> not_indexable;
  std::size_t indexable = 0;
  for (std::string_view type : SharedRegistry()->resource_types()) {
    for (const SearchParameter* q : params.ForType(type)) {
      if (q->indexable()) {
        ++indexable;
      } else if (q->problem.find("no expression") == std::string::npos) {
        not_indexable.push_back(q->id);
      }
    }
  }
  std::sort(not_indexable.begin(), not_indexable.end());
  not_indexable.erase(std::unique(not_indexable.begin(), not_indexable.end()), not_indexable.end());
  EXPECT_EQ(not_indexable,
            std::vector<std::string>{
                "questionnaireresponse-extensions-QuestionnaireResponse-item-subject"});
  EXPECT_GT(indexable, 2500u) << "(type, parameter) pairs";
}

using Files = std::vector<std::pair<std::string, std::string>>;

// A resources folder with the core files (copied) and the given files in profiles/.
class ResourcesDir {
 public:
  explicit ResourcesDir(const Files& profiles) {
    dir_ =
        std::filesystem::temp_directory_path() /
        ("schakel-search-params-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::create_directories(dir_ / "fhir-r4");
    std::filesystem::create_directories(dir_ / "profiles");
    std::filesystem::copy_file(
        std::filesystem::path(SCHAKEL_RESOURCE_DIR) / "fhir-r4" / "search-parameters.ndjson",
        dir_ / "fhir-r4" / "search-parameters.ndjson");
    std::filesystem::copy_file(
        std::filesystem::path(SCHAKEL_RESOURCE_DIR) / "fhir-r4" / "value-sets.ndjson",
        dir_ / "fhir-r4" / "value-sets.ndjson");
    for (const auto& [name, content] : profiles) {
      std::ofstream(dir_ / "profiles" / name) << content;
    }
  }
  ~ResourcesDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  ResourcesDir(const ResourcesDir&) = delete;
  ResourcesDir& operator=(const ResourcesDir&) = delete;

  std::string path() const { return dir_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path dir_;
};

constexpr std::string_view kNickname = R"({
  "resourceType": "SearchParameter", "id": "patient-nickname",
  "url": "http://example.org/fhir/SearchParameter/patient-nickname",
  "name": "nickname", "status": "active", "code": "nickname", "base": ["Patient"],
  "type": "string", "expression": "Patient.name.where(use = 'nickname').given"
})";

TEST(SearchParameterRegistryTest, LoadsSearchParametersFromTheProfilesFolder) {
  ResourcesDir dir(Files{
      {"SearchParameter-patient-nickname.json", std::string(kNickname)},
      {"SearchParameter-broken.json", R"({"resourceType": "SearchParameter", "id": "broken",
        "url": "http://example.org/fhir/SearchParameter/broken", "name": "broken",
        "status": "active", "code": "broken", "base": ["Patient"], "type": "token",
        "expression": "Patient.nmae"})"},
      {"SearchParameter-unparsable.json", "{ not json"},
      // Profiles and value sets live here too: not ours, ignored.
      {"ValueSet-x.json", R"({"resourceType": "ValueSet", "url": "http://example.org/vs"})"},
      {"notes.txt", "ignored"},
  });
  std::vector<std::string> warnings;
  Result<std::shared_ptr<const SearchParameterRegistry>> loaded =
      SearchParameterRegistry::Load(dir.path(), SharedRegistry(), &warnings);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const SearchParameterRegistry& params = **loaded;
  EXPECT_EQ(params.size(), SharedSearchParameters().size() + 2);

  const SearchParameter* nickname = params.Find("Patient", "nickname");
  ASSERT_NE(nickname, nullptr);
  EXPECT_EQ(nickname->type, ParamType::kString);
  EXPECT_TRUE(nickname->indexable()) << nickname->problem;
  EXPECT_EQ(params.FindByUrl("http://example.org/fhir/SearchParameter/patient-nickname"), nickname);

  const SearchParameter* broken = params.Find("Patient", "broken");
  ASSERT_NE(broken, nullptr) << "kept, so that a query naming it gets a clear answer";
  EXPECT_FALSE(broken->indexable());
  EXPECT_THAT(broken->problem, HasSubstr("nmae"));
  auto warned = [&warnings](std::string_view what) {
    return std::any_of(warnings.begin(), warnings.end(),
                       [what](const std::string& w) { return w.find(what) != std::string::npos; });
  };
  EXPECT_TRUE(warned("SearchParameter broken is not indexable"));
  EXPECT_TRUE(warned("SearchParameter-unparsable.json"));
  EXPECT_FALSE(warned("ValueSet-x.json"));
}

TEST(SearchParameterRegistryTest, AProfileParameterReplacesACoreOneWithTheSameCode) {
  ResourcesDir dir(Files{{"SearchParameter-patient-name.json", R"({
      "resourceType": "SearchParameter", "id": "my-name",
      "url": "http://example.org/fhir/SearchParameter/my-name", "name": "name",
      "status": "active", "code": "name", "base": ["Patient"], "type": "string",
      "expression": "Patient.name.family"})"}});
  Result<std::shared_ptr<const SearchParameterRegistry>> loaded =
      SearchParameterRegistry::Load(dir.path(), SharedRegistry());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_NE((*loaded)->Find("Patient", "name"), nullptr);
  EXPECT_EQ((*loaded)->Find("Patient", "name")->id, "my-name");
  // Other types that share no parameter with it keep theirs.
  ASSERT_NE((*loaded)->Find("Practitioner", "name"), nullptr);
  EXPECT_NE((*loaded)->Find("Practitioner", "name")->id, "my-name");
}

TEST(SearchParameterRegistryTest, AMissingCoreFileIsAnError) {
  Result<std::shared_ptr<const SearchParameterRegistry>> loaded =
      SearchParameterRegistry::Load("/nonexistent/schakel/resources", SharedRegistry());
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), Code::kInternal);
  EXPECT_THAT(std::string(loaded.status().message()), HasSubstr("search-parameters.ndjson"));
}

TEST(SearchParameterRegistryTest, WithAddsAndReplacesParameters) {
  const SearchParameterRegistry& params = SharedSearchParameters();
  std::vector<std::string> warnings;
  Result<std::shared_ptr<const SearchParameterRegistry>> with =
      params.With({ParseJson(kNickname)}, &warnings);
  ASSERT_TRUE(with.ok()) << with.status().ToString();
  EXPECT_TRUE(warnings.empty());
  ASSERT_NE((*with)->Find("Patient", "nickname"), nullptr);
  EXPECT_EQ(params.Find("Patient", "nickname"), nullptr) << "the original is unchanged";
  EXPECT_EQ((*with)->size(), params.size() + 1);
  // The copy is complete: composites resolve inside it.
  const SearchParameter* composite = (*with)->Find("Observation", "code-value-quantity");
  ASSERT_NE(composite, nullptr);
  ASSERT_EQ(composite->components.size(), 2u);
  EXPECT_EQ(composite->components[0].param, (*with)->Find("Observation", "code"));

  // The same url again replaces it.
  json::Value changed = ParseJson(kNickname);
  changed.Set("code", json::Value::String("alias"));
  Result<std::shared_ptr<const SearchParameterRegistry>> replaced =
      (*with)->With({changed}, nullptr);
  ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
  EXPECT_EQ((*replaced)->size(), params.size() + 1);
  EXPECT_EQ((*replaced)->Find("Patient", "nickname"), nullptr);
  ASSERT_NE((*replaced)->Find("Patient", "alias"), nullptr);
}

TEST(SearchParameterRegistryTest, WithRefusesInvalidParameters) {
  const SearchParameterRegistry& params = SharedSearchParameters();
  struct Case {
    std::string_view name;
    std::string_view json;
    std::string_view message;
  };
  const Case cases[] = {
      {"not a SearchParameter", R"({"resourceType": "Patient"})", "not a SearchParameter"},
      {"no url", R"({"resourceType": "SearchParameter", "code": "x", "base": ["Patient"],
                     "type": "token", "expression": "Patient.id"})",
       "no url"},
      {"bad type", R"({"resourceType": "SearchParameter", "url": "http://x/sp", "code": "x",
                       "base": ["Patient"], "type": "tokens", "expression": "Patient.id"})",
       "type"},
      {"unparsable expression",
       R"({"resourceType": "SearchParameter", "url": "http://x/sp", "code": "x",
           "base": ["Patient"], "type": "token", "expression": "Patient.name.("})",
       "does not parse"},
      {"unknown element", R"({"resourceType": "SearchParameter", "url": "http://x/sp",
           "code": "x", "base": ["Patient"], "type": "token", "expression": "Patient.gendre"})",
       "gendre"},
      {"unknown base", R"({"resourceType": "SearchParameter", "url": "http://x/sp",
           "code": "x", "base": ["Patiënt"], "type": "token", "expression": "id"})",
       "Patiënt"},
      {"unknown component", R"({"resourceType": "SearchParameter", "url": "http://x/sp",
           "code": "x", "base": ["Observation"], "type": "composite",
           "expression": "Observation.component",
           "component": [{"definition": "http://x/nothing", "expression": "code"}]})",
       "http://x/nothing"},
  };
  for (const Case& c : cases) {
    Result<std::shared_ptr<const SearchParameterRegistry>> with =
        params.With({ParseJson(c.json)}, nullptr);
    ASSERT_FALSE(with.ok()) << c.name;
    EXPECT_EQ(with.status().code(), Code::kUnprocessable) << c.name;
    EXPECT_THAT(std::string(with.status().message()), HasSubstr(c.message)) << c.name;
  }
}

}  // namespace
}  // namespace schakel::fhir::search
