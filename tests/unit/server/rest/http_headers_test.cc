#include "server/rest/http_headers.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace schakel::server::rest {
namespace {

constexpr std::int64_t kRfcExampleMs = 784111777000;  // Sun, 06 Nov 1994 08:49:37 GMT

TEST(HttpDateTest, FormatKnownValues) {
  struct Case {
    std::int64_t epoch_ms;
    std::string_view text;
  };
  const Case cases[] = {
      {kRfcExampleMs, "Sun, 06 Nov 1994 08:49:37 GMT"},
      {kRfcExampleMs + 999, "Sun, 06 Nov 1994 08:49:37 GMT"},  // milliseconds dropped
      {0, "Thu, 01 Jan 1970 00:00:00 GMT"},
      {-1, "Wed, 31 Dec 1969 23:59:59 GMT"},
      {-86'400'000, "Wed, 31 Dec 1969 00:00:00 GMT"},
      {-14182940000, "Sun, 20 Jul 1969 20:17:40 GMT"},
      {951782400000, "Tue, 29 Feb 2000 00:00:00 GMT"},
      {1709632800000, "Tue, 05 Mar 2024 10:00:00 GMT"},
      {1735689599000, "Tue, 31 Dec 2024 23:59:59 GMT"},
      {-2208988800000, "Mon, 01 Jan 1900 00:00:00 GMT"},
      {253402300799000, "Fri, 31 Dec 9999 23:59:59 GMT"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.epoch_ms);
    EXPECT_EQ(FormatHttpDate(c.epoch_ms), c.text);
  }
}

TEST(HttpDateTest, ParseKnownValues) {
  struct Case {
    std::string_view text;
    std::int64_t epoch_ms;
  };
  const Case cases[] = {
      {"Sun, 06 Nov 1994 08:49:37 GMT", kRfcExampleMs},
      {"  Sun, 06 Nov 1994 08:49:37 GMT\t", kRfcExampleMs},  // surrounding whitespace
      {"Thu, 01 Jan 1970 00:00:00 GMT", 0},
      {"Wed, 31 Dec 1969 23:59:59 GMT", -1000},
      {"Tue, 29 Feb 2000 00:00:00 GMT", 951782400000},
      {"Tue, 31 Dec 2024 23:59:59 GMT", 1735689599000},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(ParseHttpDate(c.text), c.epoch_ms);
  }
}

TEST(HttpDateTest, RoundTrips) {
  for (std::int64_t ms :
       {std::int64_t{0}, kRfcExampleMs, std::int64_t{-1000}, std::int64_t{951782400000},
        std::int64_t{4102444799000}, std::int64_t{-2208988800000}}) {
    SCOPED_TRACE(ms);
    EXPECT_EQ(ParseHttpDate(FormatHttpDate(ms)), ms);
  }
  // Every day of a leap year and the next, at an odd time of day.
  for (std::int64_t day = 10957; day < 10957 + 731; ++day) {  // 2000-01-01 onwards
    const std::int64_t ms = day * 86'400'000 + 12'345'000;
    ASSERT_EQ(ParseHttpDate(FormatHttpDate(ms)), ms) << FormatHttpDate(ms);
  }
}

TEST(HttpDateTest, InvalidDates) {
  const std::string_view cases[] = {
      "",
      "garbage",
      "Sun, 06 Nov 1994 08:49:37 UTC",
      "Sun, 06 Nov 1994 08:49:37 gmt",
      "Sun, 06 Nov 1994 08:49:37",
      "Sun, 06 Nov 1994 08:49 GMT",
      "Sun, 6 Nov 1994 08:49:37 GMT",
      "Sun, 06 Nov 94 08:49:37 GMT",
      "Sun, 06 nov 1994 08:49:37 GMT",
      "Sun, 06 Foo 1994 08:49:37 GMT",
      "Sun 06 Nov 1994 08:49:37 GMT,",
      "Sun, 06-Nov-1994 08:49:37 GMT",
      "Sun, 00 Nov 1994 08:49:37 GMT",
      "Sun, 32 Nov 1994 08:49:37 GMT",
      "Sun, 06 Nov 1994 24:00:00 GMT",
      "Sun, 06 Nov 1994 08:60:37 GMT",
      "Sun, 06 Nov 1994 08:49:61 GMT",
      "Sun, 06 Nov 1994 0a:49:37 GMT",
      "Sun, 06 Nov 19x4 08:49:37 GMT",
      "Sun, 06 Nov 1994 08.49.37 GMT",
      "Sun, 06 Nov 1994 08:49:37 GMT extra",
      "1994-11-06T08:49:37Z",
      "784111777",
  };
  for (std::string_view text : cases) {
    SCOPED_TRACE(text);
    EXPECT_EQ(ParseHttpDate(text), std::nullopt);
  }
}

// Regression (bug found by this test): ParseHttpDate accepted text that is not an IMF-fixdate
// (RFC 9110 section 5.6.7: day and time fields are 2DIGIT, the year 4DIGIT, and the date must
// exist). std::from_chars took a leading '-', and the day was only checked against 31, so these
// were read as real instants (31 Feb 2024 as 2 March).
TEST(HttpDateTest, BugRejectsImpossibleDatesAndNegativeFields) {
  const std::string_view cases[] = {
      "Thu, 31 Feb 2024 08:49:37 GMT",  // read as 2 March
      "Sun, 31 Nov 1994 08:49:37 GMT",  // read as 1 December
      "Sun, 29 Feb 2023 08:49:37 GMT",  // not a leap year
      "Sun, 06 Nov -994 08:49:37 GMT", "Sun, 06 Nov 1994 -1:49:37 GMT",
      "Sun, 06 Nov 1994 08:-1:37 GMT", "Sun, 06 Nov 1994 08:49:-1 GMT",
  };
  for (std::string_view text : cases) {
    SCOPED_TRACE(text);
    EXPECT_EQ(ParseHttpDate(text), std::nullopt);
  }
}

TEST(ETagTest, VersionETag) {
  EXPECT_EQ(VersionETag(1), "W/\"1\"");
  EXPECT_EQ(VersionETag(42), "W/\"42\"");
  std::optional<ETagList> list = ParseETagList(VersionETag(42));
  ASSERT_TRUE(list.has_value());
  EXPECT_TRUE(list->Matches(42));
  EXPECT_FALSE(list->Matches(41));
}

TEST(ETagTest, ParseETagList) {
  struct Case {
    std::string_view header;
    bool valid;
    bool any;
    std::vector<std::int64_t> versions;
    bool has_foreign;
  };
  const Case cases[] = {
      {R"(W/"3")", true, false, {3}, false},
      {R"("3")", true, false, {3}, false},
      {"3", true, false, {3}, false},  // bare numbers, which some clients send
      {"*", true, true, {}, false},
      {R"(  W/"3"  )", true, false, {3}, false},
      {R"(W/"1", "2" ,3)", true, false, {1, 2, 3}, false},
      {R"(W/"1",W/"2")", true, false, {1, 2}, false},
      {R"("abc")", true, false, {}, true},
      {R"(W/"abc")", true, false, {}, true},
      {R"("")", true, false, {}, true},
      {R"("3a")", true, false, {}, true},
      {R"(W/"abc", W/"4")", true, false, {4}, true},
      {R"(*, W/"2")", true, true, {2}, false},
      {"", false, false, {}, false},
      {"   ", false, false, {}, false},
      {",", false, false, {}, false},  // only empty elements: nothing to match
      {" , ,", false, false, {}, false},
      {"abc", false, false, {}, false},
      {R"(W/"3)", false, false, {}, false},
      {R"("3)", false, false, {}, false},
      {R"(3")", false, false, {}, false},
      {"W/", false, false, {}, false},
      {"3x", false, false, {}, false},
      {R"("3", abc)", false, false, {}, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.header);
    std::optional<ETagList> list = ParseETagList(c.header);
    ASSERT_EQ(list.has_value(), c.valid);
    if (!c.valid) continue;
    EXPECT_EQ(list->any, c.any);
    EXPECT_EQ(list->versions, c.versions);
    EXPECT_EQ(list->has_foreign, c.has_foreign);
  }
}

// Regression (bug found by this test): RFC 9110 section 5.6.1.2: "a recipient MUST parse and
// ignore a reasonable number of empty list elements". ParseETagList rejected the whole header
// instead, so `If-Match: "3",` was ignored as if absent.
TEST(ETagTest, BugIgnoresEmptyListElements) {
  struct Case {
    std::string_view header;
    std::vector<std::int64_t> versions;
  };
  const Case cases[] = {
      {R"("3",)", {3}},
      {R"(, W/"3")", {3}},
      {R"("3", , "4")", {3, 4}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.header);
    std::optional<ETagList> list = ParseETagList(c.header);
    EXPECT_TRUE(list.has_value());
    if (list.has_value()) {
      EXPECT_EQ(list->versions, c.versions);
    }
  }
}

TEST(ETagTest, Matches) {
  ETagList any;
  any.any = true;
  EXPECT_TRUE(any.Matches(1));
  EXPECT_TRUE(any.Matches(999));

  ETagList some;
  some.versions = {1, 3};
  EXPECT_TRUE(some.Matches(1));
  EXPECT_FALSE(some.Matches(2));
  EXPECT_TRUE(some.Matches(3));

  std::optional<ETagList> foreign = ParseETagList(R"("abc")");
  ASSERT_TRUE(foreign.has_value());
  EXPECT_FALSE(foreign->Matches(1));  // a tag we never issued matches nothing

  ETagList empty;
  EXPECT_FALSE(empty.Matches(1));
}

TEST(PreferTest, ParsePrefer) {
  struct Case {
    std::string_view header;
    ReturnPreference return_preference;
    bool handling_strict;
  };
  using R = ReturnPreference;
  const Case cases[] = {
      {"", R::kRepresentation, false},
      {"return=minimal", R::kMinimal, false},
      {"return=representation", R::kRepresentation, false},
      {"return=OperationOutcome", R::kOperationOutcome, false},
      {"handling=strict", R::kRepresentation, true},
      {"handling=lenient", R::kRepresentation, false},
      {"return=minimal, handling=strict", R::kMinimal, true},
      {"handling=strict;return=OperationOutcome", R::kOperationOutcome, true},
      {"  return=minimal  ,  handling=strict  ", R::kMinimal, true},
      {"respond-async, return=minimal", R::kMinimal, false},
      {"handling=strict, handling=lenient", R::kRepresentation, false},  // the last one wins
      {"return=minimal, return=representation", R::kRepresentation, false},
      {"return=unknown", R::kRepresentation, false},
      {"return=", R::kRepresentation, false},
      {"garbage;;,,", R::kRepresentation, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.header);
    Prefer p = ParsePrefer(c.header);
    EXPECT_EQ(p.return_preference, c.return_preference);
    EXPECT_EQ(p.handling_strict, c.handling_strict);
  }
}

// Regression (bug found by this test): RFC 7240 section 2: `preference = token [ BWS "=" BWS
// word ]`, and `word` may be a quoted-string, so these are valid spellings of return=minimal that
// ParsePrefer used to ignore.
TEST(PreferTest, BugAcceptsQuotedValuesAndSpaceAroundEquals) {
  for (std::string_view header : {"return=\"minimal\"", "return = minimal", "return = \"minimal\"",
                                  "return=\"minimal\"; x=y"}) {
    SCOPED_TRACE(header);
    EXPECT_EQ(ParsePrefer(header).return_preference, ReturnPreference::kMinimal);
  }
  EXPECT_TRUE(ParsePrefer("handling = strict").handling_strict);
  EXPECT_TRUE(ParsePrefer("handling=\"strict\"").handling_strict);
}

}  // namespace
}  // namespace schakel::server::rest
