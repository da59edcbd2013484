// Loading constraint profiles, value sets and code systems from a folder.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "fhir/definitions/profiles.h"
#include "fhir/definitions/registry.h"
#include "unit/shared_definitions.h"

namespace schakel::fhir::definitions {
namespace {

constexpr std::string_view kBp = "http://hl7.org/fhir/StructureDefinition/bp";

class ProfileRegistryTest : public testing::Test {
 protected:
  static const Registry& registry() { return *::schakel::test::SharedRegistry(); }

  static std::shared_ptr<const ProfileRegistry> LoadOrDie(const std::string& dir) {
    Result<std::shared_ptr<const ProfileRegistry>> loaded = ProfileRegistry::Load(dir, registry());
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    return loaded.ok() ? std::move(loaded).value() : nullptr;
  }

  // A fresh folder under the test temp dir holding one file.
  static std::string FolderWith(const std::string& name, const std::string& file,
                                const std::string& content) {
    const std::filesystem::path dir = std::filesystem::path(testing::TempDir()) / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::ofstream(dir / file) << content;
    return dir.string();
  }
};

TEST_F(ProfileRegistryTest, LoadsProfilesByUrlAndVersion) {
  auto profiles = LoadOrDie(SCHAKEL_TEST_DATA_DIR "/profiles");
  ASSERT_NE(profiles, nullptr);
  EXPECT_EQ(profiles->size(), 7U);
  const Profile* bp = profiles->Find(kBp);
  ASSERT_NE(bp, nullptr);
  EXPECT_EQ(bp->type(), "Observation");
  EXPECT_EQ(bp->version(), "4.0.1");
  EXPECT_NE(bp->file().find("StructureDefinition-bp.json"), std::string::npos);
  EXPECT_EQ(profiles->Find(std::string(kBp) + "|4.0.1"), bp);
  EXPECT_EQ(profiles->Find(std::string(kBp) + "|9.9.9"), nullptr);
  EXPECT_EQ(profiles->Find("http://example.org/unknown"), nullptr);
  const Profile* extension =
      profiles->Find("http://hl7.org/fhir/StructureDefinition/observation-bodyPosition");
  ASSERT_NE(extension, nullptr);
  EXPECT_EQ(extension->type(), "Extension");
  EXPECT_GT(profiles->Find("http://hl7.org/fhir/StructureDefinition/vitalsigns")->invariant_count(),
            0U);
}

TEST_F(ProfileRegistryTest, BuildsTheElementTreeWithSlices) {
  auto profiles = LoadOrDie(SCHAKEL_TEST_DATA_DIR "/profiles");
  ASSERT_NE(profiles, nullptr);
  const Profile& bp = *profiles->Find(kBp);
  const ProfileElement* component = nullptr;
  for (std::uint32_t i : bp.root().children) {
    if (bp.element(i).name == "component") component = &bp.element(i);
  }
  ASSERT_NE(component, nullptr);
  ASSERT_TRUE(component->slicing.has_value());
  EXPECT_EQ(component->slicing->discriminators.size(), 2U);
  EXPECT_EQ(component->slicing->rules, SlicingRules::kOpen);
  EXPECT_EQ(component->min, 2U);
  EXPECT_EQ(component->base_min, 0U);
  ASSERT_EQ(component->slices.size(), 2U);
  const ProfileElement& systolic = bp.element(component->slices[0]);
  EXPECT_EQ(systolic.slice_name, "SystolicBP");
  EXPECT_EQ(systolic.min, 1U);
  EXPECT_EQ(systolic.max, 1U);
  EXPECT_FALSE(systolic.children.empty());

  for (const ProfileElement& e : bp.elements()) {
    if (e.id == "Observation.status") {
      EXPECT_FALSE(e.binding_is_new) << "the base definition binds status the same way";
    }
    if (e.id == "Observation.component.value[x]") {
      EXPECT_TRUE(e.binding_is_new);
      EXPECT_TRUE(e.is_choice);
      EXPECT_EQ(e.name, "value");
    }
    if (e.id == "Observation.value[x]:valueQuantity") {
      EXPECT_EQ(e.max, 0U);
    }
  }
}

TEST_F(ProfileRegistryTest, ExpandsLocalValueSets) {
  auto profiles = LoadOrDie(SCHAKEL_TEST_DATA_DIR "/profiles");
  ASSERT_NE(profiles, nullptr);
  using M = ValueSetIndex::Membership;
  const struct {
    std::string_view value_set, system, code;
    M want;
  } cases[] = {
      {"http://example.org/fhir/ValueSet/test-codes", "http://example.org/codes", "a", M::kMember},
      {"http://example.org/fhir/ValueSet/test-codes", "", "b", M::kMember},
      {"http://example.org/fhir/ValueSet/test-codes|2", "", "b", M::kMember},
      {"http://example.org/fhir/ValueSet/test-codes", "http://example.org/codes", "c",
       M::kNotMember},  // excluded
      {"http://example.org/fhir/ValueSet/test-codes", "", "c", M::kNotMember},
      {"http://example.org/fhir/ValueSet/test-codes", "http://other", "a", M::kNotMember},
      {"http://example.org/fhir/ValueSet/test-methods", "", "m2", M::kMember},  // nested concept
      {"http://example.org/fhir/ValueSet/test-methods", "", "m3", M::kNotMember},
      {"http://hl7.org/fhir/ValueSet/observation-vitalsignresult", "http://loinc.org", "8867-4",
       M::kMember},
      {"http://example.org/fhir/ValueSet/nope", "", "a", M::kUnknownValueSet},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(profiles->CheckCode(c.value_set, c.system, c.code), c.want)
        << c.value_set << " " << c.system << "#" << c.code;
  }
}

TEST_F(ProfileRegistryTest, AMissingFolderIsEmpty) {
  auto profiles = LoadOrDie(SCHAKEL_TEST_DATA_DIR "/profiles/no-such-folder");
  ASSERT_NE(profiles, nullptr);
  EXPECT_EQ(profiles->size(), 0U);
}

TEST_F(ProfileRegistryTest, ADifferentialOnlyProfileIsAnErrorNamingTheFile) {
  Result<std::shared_ptr<const ProfileRegistry>> loaded =
      ProfileRegistry::Load(SCHAKEL_TEST_DATA_DIR "/profiles/invalid", registry());
  ASSERT_FALSE(loaded.ok());
  const std::string message(loaded.status().message());
  EXPECT_NE(message.find("StructureDefinition-differential-only.json"), std::string::npos)
      << message;
  EXPECT_NE(message.find("no snapshot"), std::string::npos) << message;
}

TEST_F(ProfileRegistryTest, RejectsWhatDoesNotBelong) {
  const struct {
    std::string_view name, content, error;
  } cases[] = {
      {"patient", R"({"resourceType":"Patient","url":"x"})", "does not belong here"},
      {"specialization",
       R"({"resourceType":"StructureDefinition","url":"http://x/sd","type":"Observation",
           "kind":"resource","derivation":"specialization"})",
       "not a constraint profile"},
      {"logical",
       R"({"resourceType":"StructureDefinition","url":"http://x/sd","type":"Observation",
           "kind":"logical","derivation":"constraint"})",
       "only profiles of resources and complex types"},
      {"unknown-type",
       R"({"resourceType":"StructureDefinition","url":"http://x/sd","type":"Nope",
           "kind":"resource","derivation":"constraint"})",
       "unknown type Nope"},
      {"not-json", "{", "file.json"},
  };
  for (const auto& c : cases) {
    const std::string dir =
        FolderWith("profiles-" + std::string(c.name), "file.json", std::string(c.content));
    Result<std::shared_ptr<const ProfileRegistry>> loaded = ProfileRegistry::Load(dir, registry());
    ASSERT_FALSE(loaded.ok()) << c.name;
    EXPECT_NE(loaded.status().ToString().find(c.error), std::string::npos)
        << c.name << ": " << loaded.status().ToString();
    EXPECT_NE(loaded.status().ToString().find("file.json"), std::string::npos) << c.name;
  }
}

}  // namespace
}  // namespace schakel::fhir::definitions
