// Search index rows written by the store with each version: inserted on create, replaced on
// update, removed on delete, rolled back with a failed write; and the rid that keys them.
#include <gtest/gtest.h>

#include <cstdint>
#include <future>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fhir/search/index_values.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/unit/store/sqlite/sqlite_test_support.h"

namespace schakel::store {
namespace {

namespace search = fhir::search;

// The tables, in the order AllRows() lists them.
constexpr const char* kTables[] = {"idx_string",   "idx_token",     "idx_date", "idx_number",
                                   "idx_quantity", "idx_reference", "idx_uri",  "idx_composite"};

// One entry of every kind, with `tag` in a value of each so that two sets differ everywhere.
search::IndexValues EveryKind(const std::string& tag) {
  search::IndexValues values;
  values.strings.push_back({"name", "jansen " + tag, "Jansen " + tag});
  values.tokens.push_back({"identifier", std::string("urn:oid:2.16.840.1.113883.2.4.6.3"),
                           "bsn-" + tag, "", std::string("http://terminology.hl7.org/v2"),
                           std::string("NNNLD")});
  values.tokens.push_back(
      {"gender", std::nullopt, "male-" + tag, "man", std::nullopt, std::nullopt});
  values.dates.push_back({"birthdate", 1000, 1999});
  values.numbers.push_back({"length", 1.5});
  values.quantities.push_back({"weight", 1.5, std::string("http://unitsofmeasure.org"), "kg-" + tag,
                               "kilo", 1500.0, std::string("g")});
  values.quantities.push_back(
      {"weight", 3, std::nullopt, "lbs-" + tag, "lbs", std::nullopt, std::nullopt});
  values.references.push_back(
      {"general-practitioner", "Practitioner", "gp-" + tag, 2, "", std::nullopt, std::nullopt});
  values.references.push_back({"organization", "", "", std::nullopt,
                               "http://example.org/Organization/" + tag, std::string("urn:oid:1.2"),
                               std::string("agb")});
  values.uris.push_back({"url", "http://example.org/" + tag});
  search::CompositeIndex composite;
  composite.param = "code-value-quantity";
  composite.parts.push_back(
      {search::ParamType::kToken, std::string("http://loinc.org"), "29463-7-" + tag, 0, 0});
  composite.parts.push_back(
      {search::ParamType::kQuantity, std::string("http://unitsofmeasure.org"), "g", 70000, 70000});
  values.composites.push_back(composite);
  return values;
}

// The rows EveryKind(tag) becomes for resource `rid` of type Patient, per table.
std::vector<std::vector<std::string>> EveryKindRows(std::int64_t rid, const std::string& tag) {
  const std::string key = std::to_string(rid) + "|Patient|";
  return {
      {key + "name|jansen " + tag + "|Jansen " + tag},
      {key + "gender|NULL|male-" + tag + "|man|NULL|NULL",
       key + "identifier|urn:oid:2.16.840.1.113883.2.4.6.3|bsn-" + tag +
           "||http://terminology.hl7.org/v2|NNNLD"},
      {key + "birthdate|1000|1999"},
      {key + "length|1.5"},
      {key + "weight|1.5|http://unitsofmeasure.org|kg-" + tag + "|kilo|1500.0|g",
       key + "weight|3.0|NULL|lbs-" + tag + "|lbs|NULL|NULL"},
      {key + "general-practitioner|Practitioner|gp-" + tag + "|2||NULL|NULL",
       key + "organization|||NULL|http://example.org/Organization/" + tag + "|urn:oid:1.2|agb"},
      {key + "url|http://example.org/" + tag},
      {key + "code-value-quantity|http://loinc.org|29463-7-" + tag +
       "|NULL|NULL|http://unitsofmeasure.org|g|70000.0|70000.0|NULL|NULL|NULL|NULL"},
  };
}

WriteRequest WithIndex(WriteRequest request, search::IndexValues values) {
  request.index = std::move(values);
  return request;
}

class SqliteIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(OptionsFor(path_, clock_.Function()));
    ASSERT_NE(store_, nullptr);
  }

  // Every row of `table` for Patient/`id` (all columns, sorted).
  std::vector<std::string> Rows(const std::string& table, const std::string& id) {
    return QueryRows(path_, "SELECT i.* FROM " + table +
                                " i JOIN resource r ON r.rid = i.rid WHERE r.type = 'Patient'"
                                " AND r.id = '" +
                                id + "' ORDER BY 3, 4");
  }
  std::vector<std::vector<std::string>> AllRows(const std::string& id) {
    std::vector<std::vector<std::string>> rows;
    for (const char* table : kTables) rows.push_back(Rows(table, id));
    return rows;
  }
  std::int64_t TotalRows() {
    std::int64_t total = 0;
    for (const char* table : kTables) {
      total += std::stoll(QueryRows(path_, std::string("SELECT count(*) FROM ") + table).at(0));
    }
    return total;
  }
  std::int64_t Rid(const std::string& type, const std::string& id) {
    std::vector<std::string> rows = QueryRows(
        path_, "SELECT rid FROM resource WHERE type = '" + type + "' AND id = '" + id + "'");
    return rows.size() == 1 ? std::stoll(rows[0]) : -1;
  }

  TempDir dir_;
  const std::string path_ = dir_.File("index.db");
  TestClock clock_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteIndexTest, RowsAreWrittenWithTheVersion) {
  MustWrite(*store_, WithIndex(CreateRequest("Patient", "p"), EveryKind("one")));
  std::int64_t rid = Rid("Patient", "p");
  ASSERT_GT(rid, 0);
  std::vector<std::vector<std::string>> expected = EveryKindRows(rid, "one");
  std::vector<std::vector<std::string>> actual = AllRows("p");
  for (std::size_t i = 0; i < std::size(kTables); ++i) {
    SCOPED_TRACE(kTables[i]);
    EXPECT_EQ(actual[i], expected[i]);
  }
  EXPECT_EQ(TotalRows(), static_cast<std::int64_t>(EveryKind("one").size()));
}

TEST_F(SqliteIndexTest, CreateOnUpdateWritesRowsToo) {
  MustWrite(*store_, WithIndex(UpdateRequest("Patient", "p"), EveryKind("one")));
  EXPECT_EQ(AllRows("p"), EveryKindRows(Rid("Patient", "p"), "one"));
}

TEST_F(SqliteIndexTest, UpdateReplacesTheRows) {
  MustWrite(*store_, WithIndex(CreateRequest("Patient", "p"), EveryKind("one")));
  MustWrite(*store_, WithIndex(CreateRequest("Patient", "other"), EveryKind("other")));
  std::int64_t rid = Rid("Patient", "p");

  MustWrite(*store_, WithIndex(UpdateRequest("Patient", "p"), EveryKind("two")));
  EXPECT_EQ(Rid("Patient", "p"), rid);
  EXPECT_EQ(AllRows("p"), EveryKindRows(rid, "two"));
  // Another resource's rows are untouched.
  EXPECT_EQ(AllRows("other"), EveryKindRows(Rid("Patient", "other"), "other"));

  // An update without entries leaves none.
  MustWrite(*store_, UpdateRequest("Patient", "p"));
  for (const std::vector<std::string>& rows : AllRows("p")) EXPECT_TRUE(rows.empty());
  EXPECT_EQ(TotalRows(), static_cast<std::int64_t>(EveryKind("other").size()));
}

TEST_F(SqliteIndexTest, DeleteRemovesTheRowsAndRecreateBringsThemBack) {
  MustWrite(*store_, WithIndex(CreateRequest("Patient", "p"), EveryKind("one")));
  std::int64_t rid = Rid("Patient", "p");
  MustWrite(*store_, DeleteRequest("Patient", "p"));
  EXPECT_EQ(TotalRows(), 0);
  EXPECT_EQ(QueryRows(path_, "SELECT rid, version, deleted FROM resource"),
            std::vector<std::string>{std::to_string(rid) + "|2|1"});

  // A delete carries no entries even if the request has some.
  MustWrite(*store_, WithIndex(DeleteRequest("Patient", "p"), EveryKind("ignored")));
  EXPECT_EQ(TotalRows(), 0);

  WriteOutcome back =
      MustWrite(*store_, WithIndex(UpdateRequest("Patient", "p"), EveryKind("two")));
  EXPECT_TRUE(back.created);
  EXPECT_EQ(Rid("Patient", "p"), rid);
  EXPECT_EQ(AllRows("p"), EveryKindRows(rid, "two"));
}

TEST_F(SqliteIndexTest, ResourceRowFollowsTheCurrentVersion) {
  WriteOutcome first = MustWrite(*store_, CreateRequest("Patient", "p"));
  clock_.Set(TestClock::kStart + 500);
  WriteOutcome second = MustWrite(*store_, UpdateRequest("Patient", "p"));
  EXPECT_EQ(QueryRows(path_, "SELECT type, id, version, seq, deleted, last_updated FROM resource"),
            std::vector<std::string>{"Patient|p|2|" + std::to_string(second.version.sequence) +
                                     "|0|" + std::to_string(TestClock::kStart + 500)});
  EXPECT_GT(second.version.sequence, first.version.sequence);
}

TEST_F(SqliteIndexTest, FailedWritesInABatchLeaveNoRows) {
  // The writer is held at the gate so that all of these share one transaction.
  ClockGate gate;
  const std::string path = dir_.File("batch.db");
  std::unique_ptr<SqliteStore> store = OpenOrDie(OptionsFor(path, gate.Function()));
  ASSERT_NE(store, nullptr);

  search::IndexValues too_many_parts;
  too_many_parts.strings.push_back({"name", "never", "never"});
  too_many_parts.composites.push_back({"four", std::vector<search::CompositePart>(4)});
  // NaN binds as NULL, which idx_number.value refuses: the failure comes after the string,
  // token and date rows are in.
  search::IndexValues not_a_number = EveryKind("nan");
  not_a_number.numbers.at(0).value = std::numeric_limits<double>::quiet_NaN();

  std::vector<WriteRequest> requests;
  requests.push_back(WithIndex(CreateRequest("Patient", "first"), EveryKind("first")));
  requests.push_back(WithIndex(CreateRequest("Patient", "a"), EveryKind("a")));
  // If-Match mismatch: nothing of it may stay.
  requests.push_back(WithIndex(UpdateRequest("Patient", "a", /*if_match=*/7), EveryKind("stale")));
  // Conflict on create.
  requests.push_back(WithIndex(CreateRequest("Patient", "a"), EveryKind("dup")));
  // Fails while writing the index, after its version and resource rows: those roll back too.
  requests.push_back(WithIndex(CreateRequest("Patient", "broken"), not_a_number));
  requests.push_back(WithIndex(UpdateRequest("Patient", "a"), too_many_parts));
  requests.push_back(WithIndex(CreateRequest("Patient", "b"), EveryKind("b")));

  std::vector<std::future<fhir::Result<WriteOutcome>>> results;
  std::vector<std::promise<fhir::Result<WriteOutcome>>> promises(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    results.push_back(promises[i].get_future());
    store->Write(RequestContext{}, std::move(requests[i]),
                 [&promise = promises[i]](fhir::Result<WriteOutcome> result) {
                   promise.set_value(std::move(result));
                 });
    if (i == 0) gate.WaitUntilEntered();  // "first" alone, then the rest in one batch
  }
  gate.Release();
  std::vector<fhir::Code> codes;
  for (auto& result : results) codes.push_back(result.get().status().code());
  EXPECT_EQ(codes, (std::vector<fhir::Code>{fhir::Code::kOk, fhir::Code::kOk,
                                            fhir::Code::kPreconditionFailed, fhir::Code::kConflict,
                                            fhir::Code::kInternal, fhir::Code::kInternal,
                                            fhir::Code::kOk}));
  EXPECT_EQ(store->stats().commits, 2);

  EXPECT_EQ(QueryRows(path, "SELECT id, version FROM resource ORDER BY rid"),
            (std::vector<std::string>{"first|1", "a|1", "b|1"}));
  EXPECT_EQ(QueryRows(path, "SELECT count(*) FROM resource_version"),
            std::vector<std::string>{"3"});
  for (std::size_t i = 0; i < std::size(kTables); ++i) {
    SCOPED_TRACE(kTables[i]);
    std::int64_t expected = static_cast<std::int64_t>(EveryKindRows(1, "").at(i).size()) * 3;
    EXPECT_EQ(QueryRows(path, std::string("SELECT count(*) FROM ") + kTables[i]),
              std::vector<std::string>{std::to_string(expected)});
  }
  EXPECT_TRUE(QueryRows(path,
                        "SELECT 1 FROM idx_string WHERE norm IN ('never', 'jansen stale', "
                        "'jansen dup', 'jansen nan')")
                  .empty());
}

TEST_F(SqliteIndexTest, RidsFollowCreationAndNeverChange) {
  MustWrite(*store_, CreateRequest("Patient", "a"));
  MustWrite(*store_, CreateRequest("Observation", "a"));
  MustWrite(*store_, CreateRequest("Patient", "b"));
  std::int64_t a = Rid("Patient", "a");
  std::int64_t obs = Rid("Observation", "a");
  std::int64_t b = Rid("Patient", "b");
  EXPECT_LT(a, obs);
  EXPECT_LT(obs, b);

  MustWrite(*store_, UpdateRequest("Patient", "a"));
  MustWrite(*store_, DeleteRequest("Patient", "b"));
  MustWrite(*store_, CreateRequest("Patient", "c"));
  MustWrite(*store_, UpdateRequest("Patient", "b"));  // back from the dead: same rid
  EXPECT_EQ(Rid("Patient", "a"), a);
  EXPECT_EQ(Rid("Observation", "a"), obs);
  EXPECT_EQ(Rid("Patient", "b"), b);
  EXPECT_GT(Rid("Patient", "c"), b);

  // And across a reopen: AUTOINCREMENT keeps counting past every rid handed out.
  std::int64_t c = Rid("Patient", "c");
  store_.reset();
  store_ = OpenOrDie(OptionsFor(path_, clock_.Function()));
  ASSERT_NE(store_, nullptr);
  MustWrite(*store_, CreateRequest("Patient", "d"));
  EXPECT_GT(Rid("Patient", "d"), c);
  EXPECT_EQ(QueryRows(path_, "SELECT count(DISTINCT rid) FROM resource"),
            std::vector<std::string>{"5"});
}

}  // namespace
}  // namespace schakel::store
