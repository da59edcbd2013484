#include "fhir/definitions/registry.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "unit/shared_definitions.h"

namespace schakel::fhir::definitions {
namespace {

class RealRegistryTest : public testing::Test {
 protected:
  static const Registry& registry() { return *::schakel::test::SharedRegistry(); }
};

TEST_F(RealRegistryTest, HasAllR4ResourceTypesSortedAndUnique) {
  const std::vector<std::string>& types = registry().resource_types();
  EXPECT_EQ(types.size(), 146u);
  EXPECT_TRUE(std::is_sorted(types.begin(), types.end()));
  EXPECT_EQ(std::adjacent_find(types.begin(), types.end()), types.end());
  for (const std::string& type : types) EXPECT_TRUE(registry().IsResourceType(type)) << type;
}

TEST_F(RealRegistryTest, IsResourceType) {
  struct Case {
    std::string_view type;
    bool is_resource_type;
  };
  const Case cases[] = {
      {"Patient", true},
      {"Observation", true},
      {"Consent", true},
      {"AuditEvent", true},
      {"MedicationStatement", true},
      {"Bundle", true},
      {"Parameters", true},
      {"OperationOutcome", true},
      {"Resource", false},        // abstract
      {"DomainResource", false},  // abstract
      {"HumanName", false},       // a complex type
      {"Element", false},
      {"string", false},   // a primitive type
      {"patient", false},  // names are case-sensitive
      {"PATIENT", false},
      {"Patient ", false},
      {"", false},
      {"Foo", false},
      {"MedicationStatement/1", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.type);
    EXPECT_EQ(registry().IsResourceType(c.type), c.is_resource_type);
  }
}

TEST_F(RealRegistryTest, FindDescribesStructures) {
  const StructureInfo* patient = registry().Find("Patient");
  ASSERT_NE(patient, nullptr);
  EXPECT_EQ(patient->type, "Patient");
  EXPECT_EQ(patient->url, "http://hl7.org/fhir/StructureDefinition/Patient");
  EXPECT_EQ(patient->kind, StructureKind::kResource);
  EXPECT_FALSE(patient->is_abstract);
  EXPECT_EQ(patient->base_type, "DomainResource");

  const StructureInfo* bundle = registry().Find("Bundle");
  ASSERT_NE(bundle, nullptr);
  EXPECT_EQ(bundle->base_type, "Resource");

  const StructureInfo* domain = registry().Find("DomainResource");
  ASSERT_NE(domain, nullptr);
  EXPECT_EQ(domain->kind, StructureKind::kResource);
  EXPECT_TRUE(domain->is_abstract);
  EXPECT_EQ(domain->base_type, "Resource");

  const StructureInfo* human_name = registry().Find("HumanName");
  ASSERT_NE(human_name, nullptr);
  EXPECT_EQ(human_name->kind, StructureKind::kComplexType);

  const StructureInfo* string_type = registry().Find("string");
  ASSERT_NE(string_type, nullptr);
  EXPECT_EQ(string_type->kind, StructureKind::kPrimitiveType);

  EXPECT_EQ(registry().Find("Foo"), nullptr);
  EXPECT_EQ(registry().Find(""), nullptr);
}

// A scratch resources directory, removed afterwards.
class TempResources {
 public:
  TempResources() {
    const testing::TestInfo* info = testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("schakel-registry-" + std::string(info->name()) + "-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "fhir-r4");
  }
  ~TempResources() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  TempResources(const TempResources&) = delete;
  TempResources& operator=(const TempResources&) = delete;

  void WriteDefinitions(std::string_view content) const {
    std::ofstream out(dir_ / "fhir-r4" / "structure-definitions.ndjson", std::ios::binary);
    out << content;
  }
  std::string dir() const { return dir_.string(); }
  std::string file() const { return (dir_ / "fhir-r4" / "structure-definitions.ndjson").string(); }

 private:
  std::filesystem::path dir_;
};

constexpr std::string_view kPatientLine =
    R"({"resourceType":"StructureDefinition","url":"http://hl7.org/fhir/StructureDefinition/Patient",)"
    R"("kind":"resource","abstract":false,"type":"Patient",)"
    R"("baseDefinition":"http://hl7.org/fhir/StructureDefinition/DomainResource",)"
    R"("snapshot":{"element":[{"id":"Patient","path":"Patient","min":0,"max":"*"}]}})";
constexpr std::string_view kStringLine =
    R"({"resourceType":"StructureDefinition","url":"http://hl7.org/fhir/StructureDefinition/string",)"
    R"("kind":"primitive-type","abstract":false,"type":"string",)"
    R"("snapshot":{"element":[{"id":"string","path":"string","min":0,"max":"*"}]}})";

TEST(RegistryLoadTest, MissingDirectoryGivesAClearError) {
  Result<std::shared_ptr<const Registry>> r = Registry::Load("/nonexistent/schakel-resources");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInternal);
  const std::string message(r.status().message());
  EXPECT_NE(message.find("/nonexistent/schakel-resources/fhir-r4/structure-definitions.ndjson"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("--resources"), std::string::npos) << message;
}

TEST(RegistryLoadTest, LoadsAMinimalFile) {
  TempResources resources;
  resources.WriteDefinitions(std::string(kStringLine) + "\n\n" + std::string(kPatientLine) + "\n");
  Result<std::shared_ptr<const Registry>> r = Registry::Load(resources.dir());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->resource_types(), std::vector<std::string>{"Patient"});
  EXPECT_TRUE((*r)->IsResourceType("Patient"));
  EXPECT_FALSE((*r)->IsResourceType("string"));
  ASSERT_NE((*r)->Find("string"), nullptr);
}

TEST(RegistryLoadTest, BadLinesAreNamed) {
  struct Case {
    std::string name;
    std::string content;
    std::string expected_location;  // appended to the file path
  };
  const Case cases[] = {
      {"malformed JSON", std::string(kPatientLine) + "\n{\"resourceType\": oops}\n", ":2"},
      {"truncated line", std::string(kPatientLine) + "\n" + std::string(kStringLine.substr(0, 40)),
       ":2"},
      {"blank lines still count",
       std::string(kStringLine) + "\n\n[1,2\n" + std::string(kPatientLine), ":3"},
      {"no kind", std::string(kPatientLine) + "\n" + R"({"url":"u","type":"X"})" + "\n", ":2"},
      {"unknown kind", R"({"url":"u","type":"X","kind":"widget"})", ":1"},
      {"no type", R"({"url":"u","kind":"resource"})", ":1"},
      {"no url", R"({"type":"X","kind":"resource"})", ":1"},
      {"type not a string", R"({"url":"u","type":7,"kind":"resource"})", ":1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    TempResources resources;
    resources.WriteDefinitions(c.content);
    Result<std::shared_ptr<const Registry>> r = Registry::Load(resources.dir());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kInternal);
    const std::string message(r.status().message());
    EXPECT_NE(message.find(resources.file() + c.expected_location + ":"), std::string::npos)
        << message;
  }
}

TEST(RegistryLoadTest, AFileWithoutResourceTypesIsAnError) {
  for (const std::string& content :
       {std::string(), std::string("\n\n"), std::string(kStringLine)}) {
    TempResources resources;
    resources.WriteDefinitions(content);
    Result<std::shared_ptr<const Registry>> r = Registry::Load(resources.dir());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kInternal);
    EXPECT_NE(r.status().ToString().find("defines no resource types"), std::string::npos)
        << r.status().ToString();
  }
}

}  // namespace
}  // namespace schakel::fhir::definitions
