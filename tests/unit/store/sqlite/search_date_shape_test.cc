// Date searches that rely on idx_date_shape (schema v3): the shape follows the values written,
// only grows, and the plans built on it (criteria of a single-valued parameter tested on one
// index row; bounds on `low` derived from bounds on `high`) find exactly what the plain plans
// find.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "fhir/search/index_values.h"
#include "fhir/search/query.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/unit/store/sqlite/sqlite_test_support.h"
#include "unit/fhir/search/search_fixture.h"

namespace schakel::store {
namespace {

namespace search = fhir::search;

constexpr std::int64_t kDay = 24LL * 3600 * 1000;
// 2020-01-01T00:00:00Z
constexpr std::int64_t k2020 = 1'577'836'800'000;

std::vector<std::pair<std::string, std::string>> Params(const std::string& query) {
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t start = 0;
  while (start < query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    const std::string pair = query.substr(start, end - start);
    const std::size_t eq = pair.find('=');
    params.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
    start = end + 1;
  }
  return params;
}

class SearchDateShapeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOrDie(OptionsFor(path_, clock_.Function()));
    ASSERT_NE(store_, nullptr);
  }

  // Observation `id` with the `date` values [low, high].
  void Put(const std::string& id, std::vector<std::pair<std::int64_t, std::int64_t>> ranges) {
    WriteRequest request = UpdateRequest("Observation", id);
    for (const auto& [low, high] : ranges) request.index.dates.push_back({"date", low, high});
    MustWrite(*store_, std::move(request));
  }

  std::vector<std::string> Shape() {
    return QueryRows(path_,
                     "SELECT type || ' ' || param || ' ' || max_span || ' ' || multiple "
                     "FROM idx_date_shape ORDER BY 1");
  }

  // The ids `Observation?query` finds (sorted), walking every page of 2.
  std::vector<std::string> Find(const std::string& query) {
    fhir::Result<search::Query> parsed = search::ParseQuery(
        "Observation", Params(query + "&_count=2"), test::SharedSearchParameters(), {});
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    std::vector<std::string> ids;
    if (!parsed.ok()) return ids;
    for (int page = 0; page < 100; ++page) {
      fhir::Result<SearchResult> result = store_->Search(RequestContext{}, *parsed);
      EXPECT_TRUE(result.ok()) << result.status().ToString();
      if (!result.ok()) break;
      for (const ResourceVersion& v : result->matches) ids.push_back(v.id);
      if (result->next_cursor.empty()) break;
      parsed->cursor = result->next_cursor;
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  TempDir dir_;
  const std::string path_ = dir_.File("shape.db");
  TestClock clock_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SearchDateShapeTest, ShapeGrowsWithTheValuesAndNeverShrinks) {
  EXPECT_TRUE(Shape().empty());
  Put("a", {{k2020, k2020 + 999}});
  EXPECT_EQ(Shape(), std::vector<std::string>{"Observation date 999 0"});
  Put("b", {{k2020, k2020 + kDay - 1}});
  EXPECT_EQ(Shape(), std::vector<std::string>{"Observation date 86399999 0"});
  Put("c", {{k2020, k2020}, {k2020 + 5, k2020 + 5}});
  EXPECT_EQ(Shape(), std::vector<std::string>{"Observation date 86399999 1"});
  // Removing the values that raised it keeps the shape: it is an upper bound.
  Put("b", {});
  Put("c", {{k2020, k2020}});
  EXPECT_EQ(Shape(), std::vector<std::string>{"Observation date 86399999 1"});
}

// While every Observation has one date, date=ge..&date=lt.. is one range per resource; once one
// has two dates, each criterion may be met by a different one of them (search.html: repeated
// parameters are ANDed over the resource, not over one value).
TEST_F(SearchDateShapeTest, RepeatedCriteriaMatchPerResourceOnceAParameterHasSeveralValues) {
  const std::string january = "date=ge2020-01-01&date=lt2020-02-01";
  Put("jan", {{k2020 + 4 * kDay, k2020 + 4 * kDay + 999}});
  Put("jun", {{k2020 + 160 * kDay, k2020 + 160 * kDay + 999}});
  Put("dec19", {{k2020 - 20 * kDay, k2020 - 20 * kDay + 999}});
  EXPECT_EQ(Find(january), std::vector<std::string>{"jan"});

  // One date in 2019 (< February 2020) and one in March (>= January 2020): no single date lies
  // in January, but the resource meets both criteria.
  Put("both", {{k2020 - 200 * kDay, k2020 - 200 * kDay}, {k2020 + 70 * kDay, k2020 + 70 * kDay}});
  EXPECT_EQ(Find(january), (std::vector<std::string>{"both", "jan"}));
  EXPECT_EQ(Find("date=2020-01"), std::vector<std::string>{"jan"});
}

// A long range (an open-ended period) widens the bound that gt/ge/ap put on `low`, so it is
// still found by a later date; a short one does not reach back.
TEST_F(SearchDateShapeTest, BoundsOnLowFollowTheLongestRange) {
  Put("day", {{k2020, k2020 + kDay - 1}});
  Put("early", {{k2020 - 400 * kDay, k2020 - 399 * kDay}});
  EXPECT_EQ(Find("date=gt2020-06-01"), std::vector<std::string>{});
  EXPECT_EQ(Find("date=ge2020-01-01"), std::vector<std::string>{"day"});

  Put("long", {{k2020 - 3 * 365 * kDay, k2020 + 2 * 365 * kDay}});
  EXPECT_EQ(Find("date=gt2020-06-01"), std::vector<std::string>{"long"});
  EXPECT_EQ(Find("date=ge2020-01-01"), (std::vector<std::string>{"day", "long"}));
  EXPECT_EQ(Find("date=ap2021-06-01"), std::vector<std::string>{"long"});
  EXPECT_EQ(Find("date=sa2019-12-31"), std::vector<std::string>{"day"});
  EXPECT_EQ(Find("date=le2018-12-31"), (std::vector<std::string>{"early", "long"}));

  // Open-ended: no bound through the span at all, and still found.
  Put("open", {{k2020 - 10 * 365 * kDay, search::kMaxTimeMs}});
  EXPECT_EQ(Find("date=gt2030-01-01"), std::vector<std::string>{"open"});
  EXPECT_EQ(Find("date=ge2020-01-01&date=lt2020-01-02"),
            (std::vector<std::string>{"day", "long", "open"}));
}

}  // namespace
}  // namespace schakel::store
