// InCompartment (fhir/search/compartment_membership.h) and the store's compartment search
// (/Patient/<id>/<type>) agree: every resource of a set is written to a SQLite store with its
// index, and for every type with Patient-compartment parameters and every Patient id that
// resources of that type refer to (plus a few that none do), the search finds exactly the
// resources InCompartment says are in the compartment (the focus aside: the search does not
// return it, InCompartment counts it). Other ids need no check: neither side can find anything
// for an id no index entry of the type names.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "fhir/search/compartment_membership.h"
#include "fhir/search/extract.h"
#include "fhir/search/query.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/unit/store/sqlite/sqlite_test_support.h"
#include "unit/fhir/search/search_fixture.h"

namespace schakel::store {
namespace {

namespace search = fhir::search;

// Hand-made resources for the edges of the rule; the R4 examples add the breadth.
constexpr std::string_view kResources[] = {
    R"({"resourceType": "Patient", "id": "123"})",
    R"({"resourceType": "Patient", "id": "1234"})",
    R"({"resourceType": "Patient", "id": "linked",
        "link": [{"other": {"reference": "Patient/123"}, "type": "seealso"}]})",
    R"({"resourceType": "Observation", "id": "subject", "status": "final", "code": {"text": "x"},
        "subject": {"reference": "Patient/123"}})",
    R"({"resourceType": "Observation", "id": "performer", "status": "final",
        "code": {"text": "x"}, "performer": [{"reference": "Patient/123"}]})",
    R"({"resourceType": "Observation", "id": "other", "status": "final", "code": {"text": "x"},
        "subject": {"reference": "Patient/1234"}})",
    R"({"resourceType": "Observation", "id": "versioned", "status": "final",
        "code": {"text": "x"}, "subject": {"reference": "Patient/123/_history/1"}})",
    R"({"resourceType": "Observation", "id": "absolute", "status": "final",
        "code": {"text": "x"}, "subject": {"reference": "https://elsewhere.example/Patient/123"}})",
    R"({"resourceType": "Observation", "id": "focus", "status": "final", "code": {"text": "x"},
        "focus": [{"reference": "Patient/123"}]})",
    R"({"resourceType": "Observation", "id": "contained", "status": "final",
        "code": {"text": "x"},
        "contained": [{"resourceType": "Observation", "id": "o", "status": "final",
                       "code": {"text": "y"}, "subject": {"reference": "Patient/123"}}],
        "hasMember": [{"reference": "#o"}]})",
    R"({"resourceType": "Observation", "id": "identifier", "status": "final",
        "code": {"text": "x"},
        "subject": {"identifier": {"system": "urn:x", "value": "123"}}})",
    R"({"resourceType": "AuditEvent", "id": "who", "type": {"code": "rest"},
        "recorded": "2024-01-01T00:00:00Z", "source": {"observer": {"reference": "Device/d"}},
        "agent": [{"who": {"reference": "Patient/123"}, "requestor": true}]})",
    R"({"resourceType": "AuditEvent", "id": "observer", "type": {"code": "rest"},
        "recorded": "2024-01-01T00:00:00Z", "source": {"observer": {"reference": "Patient/123"}},
        "agent": [{"who": {"reference": "Practitioner/123"}, "requestor": true}]})",
    R"({"resourceType": "Consent", "id": "c", "status": "active", "scope": {"text": "x"},
        "category": [{"text": "x"}], "patient": {"reference": "Patient/123"}})",
    R"({"resourceType": "Encounter", "id": "e", "status": "finished", "class": {"code": "AMB"},
        "subject": {"reference": "Patient/123"}})",
    R"({"resourceType": "Organization", "id": "123"})",
};

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class CompartmentMembershipSqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(OptionsFor(dir_.File("compartments.db"), FixedClock()));
    ASSERT_NE(store_, nullptr);
  }

  // Writes `resource` with its index, unless it has no id or cannot be indexed (the server would
  // refuse it too); the last write of a type and id wins, as in the store.
  void Put(fhir::json::Value resource) {
    const std::string* type = resource.FindString("resourceType");
    const std::string* id = resource.FindString("id");
    if (type == nullptr || id == nullptr) return;
    fhir::Result<search::IndexValues> index =
        search::ExtractIndex(resource, test::SharedSearchParameters());
    if (!index.ok()) return;
    std::set<std::string>& ids = patient_ids_[*type];
    for (const search::ReferenceIndex& r : index->references) {
      if (r.target_type == "Patient") ids.insert(r.target_id);
    }
    if (*type == "Patient") ids.insert(*id);
    WriteRequest request = UpdateRequest(*type, *id, std::nullopt, resource);
    request.index = std::move(index).value();
    MustWrite(*store_, std::move(request));
    resources_[*type][*id] = std::move(resource);
  }

  // The ids /Patient/<patient>/<type> finds, sorted, walking every page; the clause is built as
  // server/rest/search_support.cc builds it.
  std::vector<std::string> Search(const std::string& type, const std::string& patient) {
    fhir::Result<search::Query> query =
        search::ParseQuery(type, {{"_count", "1000"}}, test::SharedSearchParameters(), {});
    EXPECT_TRUE(query.ok()) << query.status().ToString();
    std::vector<std::string> ids;
    if (!query.ok()) return ids;
    search::CompartmentClause clause;
    clause.type = "Patient";
    clause.id = patient;
    for (const std::string& code : test::SharedCompartments().Params("Patient", type)) {
      if (const auto* p = test::SharedSearchParameters().Find(type, code)) {
        clause.params.push_back(p);
      }
    }
    query->compartment = std::move(clause);
    for (int page = 0; page < 100; ++page) {
      fhir::Result<SearchResult> result = store_->Search(RequestContext{}, *query);
      EXPECT_TRUE(result.ok()) << result.status().ToString();
      if (!result.ok()) break;
      for (const ResourceVersion& v : result->matches) ids.push_back(v.id);
      if (result->next_cursor.empty()) break;
      query->cursor = result->next_cursor;
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  // The ids of the resources of `type` InCompartment puts in Patient/<patient>'s compartment,
  // sorted; the focus itself left out.
  std::vector<std::string> Members(const std::string& type, const std::string& patient) {
    std::vector<std::string> ids;
    for (const auto& [id, resource] : resources_[type]) {
      fhir::Result<bool> in = search::InCompartment(
          resource, "Patient", patient, test::SharedSearchParameters(), test::SharedCompartments());
      EXPECT_TRUE(in.ok()) << type << "/" << id << ": " << in.status().ToString();
      if (in.ok() && *in && !(type == "Patient" && id == patient)) ids.push_back(id);
    }
    return ids;  // the map's order: sorted
  }

  // Checks each type with Patient-compartment parameters for the Patient ids its resources name
  // and three more; returns the number of memberships seen.
  std::size_t CheckAgreement() {
    std::size_t members = 0;
    for (const auto& entry : resources_) {
      const std::string& type = entry.first;
      if (test::SharedCompartments().Params("Patient", type).empty()) continue;
      std::set<std::string> patients = patient_ids_[type];
      patients.insert({"123", "1234", "nobody"});
      for (const std::string& patient : patients) {
        SCOPED_TRACE("/Patient/" + patient + "/" + type);
        std::vector<std::string> expected = Members(type, patient);
        std::vector<std::string> found = Search(type, patient);
        // The search returns the focus only when it links to itself.
        if (type == "Patient") std::erase(found, patient);
        EXPECT_EQ(found, expected);
        members += expected.size();
      }
    }
    return members;
  }

  TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
  std::map<std::string, std::map<std::string, fhir::json::Value>> resources_;
  // type -> the Patient ids its resources' index entries name, and the ids of the Patients.
  std::map<std::string, std::set<std::string>> patient_ids_;
};

TEST_F(CompartmentMembershipSqlTest, HandMadeResources) {
  for (std::string_view text : kResources) Put(Json(text));
  EXPECT_EQ(resources_["Observation"].size(), 8u);
  EXPECT_EQ(Members("Observation", "123"),
            (std::vector<std::string>{"absolute", "performer", "subject", "versioned"}));
  // Patient/123: those four, Patient/linked, AuditEvent/who, Consent/c and Encounter/e;
  // Patient/1234: Observation/other.
  EXPECT_EQ(CheckAgreement(), 9u);
}

TEST_F(CompartmentMembershipSqlTest, R4Examples) {
  const std::filesystem::path dir =
      std::filesystem::path(SCHAKEL_SHARED_DIR) / "fhir" / "r4-examples";
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << "no R4 examples at " << dir.string();
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 700u);
  for (const std::filesystem::path& path : files) {
    fhir::Result<fhir::json::Value> parsed = fhir::json::Parse(ReadFile(path));
    ASSERT_TRUE(parsed.ok()) << path.filename().string() << ": " << parsed.status().ToString();
    Put(std::move(parsed).value());
  }
  const std::size_t members = CheckAgreement();
  EXPECT_GE(members, 100u);
  std::printf("[ examples ] %zu compartment memberships agree\n", members);
}

}  // namespace
}  // namespace schakel::store
