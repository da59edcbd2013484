#include "fhir/primitives/date_time.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace schakel::fhir {
namespace {

constexpr std::int64_t kSecond = 1000;
constexpr std::int64_t kHour = 3600 * kSecond;
constexpr std::int64_t kDay = 24 * kHour;

// Epoch milliseconds of some UTC instants (computed independently with Python's calendar.timegm).
constexpr std::int64_t k2024 = 1704067200000;          // 2024-01-01T00:00:00Z
constexpr std::int64_t k2025 = 1735689600000;          // 2025-01-01T00:00:00Z
constexpr std::int64_t k2024Feb = 1706745600000;       // 2024-02-01T00:00:00Z
constexpr std::int64_t k2024Mar = 1709251200000;       // 2024-03-01T00:00:00Z
constexpr std::int64_t k2024Dec = 1733011200000;       // 2024-12-01T00:00:00Z
constexpr std::int64_t k2024Feb29 = 1709164800000;     // 2024-02-29T00:00:00Z
constexpr std::int64_t k2000Feb29 = 951782400000;      // 2000-02-29T00:00:00Z
constexpr std::int64_t k2024Mar05T10 = 1709632800000;  // 2024-03-05T10:00:00Z
constexpr std::int64_t k2024Mar06 = 1709683200000;     // 2024-03-06T00:00:00Z
constexpr std::int64_t k1900 = -2208988800000;         // 1900-01-01T00:00:00Z
constexpr std::int64_t kYear1 = -62135596800000;       // 0001-01-01T00:00:00Z
constexpr std::int64_t kMoonLanding = -14182940000;    // 1969-07-20T20:17:40Z

struct ValidCase {
  std::string_view text;
  std::int64_t begin_ms;
  std::int64_t end_ms;
  DatePrecision precision;
  bool has_time_zone;
};

TEST(ParseDateTimeTest, ValidValues) {
  const ValidCase cases[] = {
      // Every precision; dates without a time are UTC ranges without a zone.
      {"2024", k2024, k2025, DatePrecision::kYear, false},
      {"2024-02", k2024Feb, k2024Mar, DatePrecision::kMonth, false},
      {"2024-12", k2024Dec, k2025, DatePrecision::kMonth, false},
      {"2024-01-01", k2024, k2024 + kDay, DatePrecision::kDay, false},
      {"2024-03-05T10:00:00Z", k2024Mar05T10, k2024Mar05T10 + kSecond, DatePrecision::kSecond,
       true},
      {"2024-03-05T10:00:00.123Z", k2024Mar05T10 + 123, k2024Mar05T10 + 124,
       DatePrecision::kMillisecond, true},
      {"2024-03-05T10:00:00.1Z", k2024Mar05T10 + 100, k2024Mar05T10 + 101,
       DatePrecision::kMillisecond, true},
      {"2024-03-05T10:00:00.05Z", k2024Mar05T10 + 50, k2024Mar05T10 + 51,
       DatePrecision::kMillisecond, true},
      {"2024-03-05T10:00:00.000Z", k2024Mar05T10, k2024Mar05T10 + 1, DatePrecision::kMillisecond,
       true},
      // Fractions beyond milliseconds are truncated, not rounded.
      {"2024-03-05T10:00:00.123456789Z", k2024Mar05T10 + 123, k2024Mar05T10 + 124,
       DatePrecision::kMillisecond, true},
      {"2024-03-05T10:00:00.9999Z", k2024Mar05T10 + 999, k2024Mar05T10 + 1000,
       DatePrecision::kMillisecond, true},
      {"2024-03-05T10:00:00.00000000000000000000000001Z", k2024Mar05T10, k2024Mar05T10 + 1,
       DatePrecision::kMillisecond, true},
      // Leap days.
      {"2024-02-29", k2024Feb29, k2024Feb29 + kDay, DatePrecision::kDay, false},
      {"2000-02-29", k2000Feb29, k2000Feb29 + kDay, DatePrecision::kDay, false},
      {"2024-02", k2024Feb, k2024Feb29 + kDay, DatePrecision::kMonth, false},  // 29 days
      // Time zones.
      {"2024-03-05T10:00:00+00:00", k2024Mar05T10, k2024Mar05T10 + kSecond, DatePrecision::kSecond,
       true},
      {"2024-03-05T10:00:00-00:00", k2024Mar05T10, k2024Mar05T10 + kSecond, DatePrecision::kSecond,
       true},
      {"2024-03-05T10:00:00+01:00", k2024Mar05T10 - kHour, k2024Mar05T10 - kHour + kSecond,
       DatePrecision::kSecond, true},
      {"2024-03-05T10:00:00-05:30", k2024Mar05T10 + 5 * kHour + 30 * 60 * kSecond,
       k2024Mar05T10 + 5 * kHour + 30 * 60 * kSecond + kSecond, DatePrecision::kSecond, true},
      {"2024-03-05T10:00:00+14:00", k2024Mar05T10 - 14 * kHour,
       k2024Mar05T10 - 14 * kHour + kSecond, DatePrecision::kSecond, true},
      {"2024-03-05T10:00:00-12:00", k2024Mar05T10 + 12 * kHour,
       k2024Mar05T10 + 12 * kHour + kSecond, DatePrecision::kSecond, true},
      {"2024-03-05T10:00:00.500+05:45", k2024Mar05T10 - 5 * kHour - 45 * 60 * kSecond + 500,
       k2024Mar05T10 - 5 * kHour - 45 * 60 * kSecond + 501, DatePrecision::kMillisecond, true},
      // A '+' that became a space in a query string.
      {"2024-03-05T10:00:00 01:00", k2024Mar05T10 - kHour, k2024Mar05T10 - kHour + kSecond,
       DatePrecision::kSecond, true},
      // Zones move the instant across day and year boundaries.
      {"2024-01-01T00:30:00+01:00", k2024 - 30 * 60 * kSecond, k2024 - 30 * 60 * kSecond + kSecond,
       DatePrecision::kSecond, true},
      {"2024-03-05T23:00:00-01:00", k2024Mar06, k2024Mar06 + kSecond, DatePrecision::kSecond, true},
      // Edges of the clock; FHIR allows a leap second.
      {"2024-03-05T00:00:00Z", k2024Mar05T10 - 10 * kHour, k2024Mar05T10 - 10 * kHour + kSecond,
       DatePrecision::kSecond, true},
      {"2024-03-05T23:59:59Z", k2024Mar06 - kSecond, k2024Mar06, DatePrecision::kSecond, true},
      {"2024-03-05T23:59:60Z", k2024Mar06, k2024Mar06 + kSecond, DatePrecision::kSecond, true},
      // Before 1970 and the ends of the range.
      {"1900", k1900, -2177452800000, DatePrecision::kYear, false},
      {"1969-07-20T20:17:40Z", kMoonLanding, kMoonLanding + kSecond, DatePrecision::kSecond, true},
      {"0001-01-01", kYear1, kYear1 + kDay, DatePrecision::kDay, false},
      {"9999-12-31T23:59:59.999Z", 253402300799999, 253402300800000, DatePrecision::kMillisecond,
       true},
  };
  for (const ValidCase& c : cases) {
    SCOPED_TRACE(c.text);
    Result<DateTimeRange> r = ParseDateTime(c.text, "test");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->begin_ms, c.begin_ms);
    EXPECT_EQ(r->end_ms, c.end_ms);
    EXPECT_EQ(r->precision, c.precision);
    EXPECT_EQ(r->has_time_zone, c.has_time_zone);
  }
}

TEST(ParseDateTimeTest, InvalidValues) {
  const std::string_view cases[] = {
      // Not a date.
      "",
      "abcd",
      "24",
      "202",
      "20245",
      "2024/01/01",
      "2024 ",
      " 2024",
      "0000",  // FHIR years start at 0001
      // Months and days.
      "2024-13",
      "2024-00",
      "2024-1",
      "2024-001",
      "2024-01-",
      "2024-01-1",
      "2024-01-00",
      "2024-01-32",
      "2024-04-31",
      "2023-02-29",  // not a leap year
      "1900-02-29",  // divisible by 100, not by 400
      "2024-02-30",
      "2024-01-01x",
      // A time needs a full date, seconds, and a zone.
      "2024-03-05T10:00:00",
      "2024-03-05T10:00:00.123",
      "2024T10:00:00Z",
      "2024-03T10:00:00Z",
      "2024-03-05T10:00Z",
      "2024-03-05T10Z",
      "2024-03-05T",
      "2024-03-05 10:00:00Z",
      "2024-03-05t10:00:00Z",
      "2024-03-05T10:00:00z",
      "2024-03-05T1:00:00Z",
      "2024-03-05T24:00:00Z",
      "2024-03-05T10:60:00Z",
      "2024-03-05T10:00:61Z",
      "2024-03-05T10-00-00Z",
      "2024-03-05T10:00:00.Z",
      "2024-03-05T10:00:00,5Z",
      // Zones.
      "2024-03-05T10:00:00+1:00",
      "2024-03-05T10:00:00+01",
      "2024-03-05T10:00:00+0100",
      "2024-03-05T10:00:00+01:0",
      "2024-03-05T10:00:00+15:00",
      "2024-03-05T10:00:00+01:60",
      "2024-03-05T10:00:00UTC",
      "2024-03-05T10:00:00Zjunk",
      "2024-03-05T10:00:00ZZ",
      "2024-03-05T10:00:00+01:00junk",
      "2024-03-05T10:00:00+01:00Z",
  };
  for (std::string_view text : cases) {
    SCOPED_TRACE(text);
    Result<DateTimeRange> r = ParseDateTime(text, "_since");
    ASSERT_FALSE(r.ok()) << "accepted: " << r->begin_ms;
    EXPECT_EQ(r.status().code(), Code::kInvalidInput);
    EXPECT_EQ(r.status().message().substr(0, 7), "_since:") << r.status().ToString();
  }
}

// Regression (bug found by this test): FHIR R4's dateTime regex allows zones up to +14:00 exactly,
// "(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))", but ParseDateTime accepted +14:01..+14:59.
TEST(ParseDateTimeTest, BugRejectsZonesBeyondFourteenHours) {
  for (std::string_view text :
       {"2024-03-05T10:00:00+14:30", "2024-03-05T10:00:00-14:01", "2024-03-05T10:00:00+14:59"}) {
    SCOPED_TRACE(text);
    Result<DateTimeRange> r = ParseDateTime(text, "test");
    EXPECT_FALSE(r.ok());
  }
}

TEST(ParseInstantTest, RequiresATimeWithAZone) {
  struct Case {
    std::string_view text;
    bool ok;
  };
  const Case cases[] = {
      {"2024-03-05T10:00:00Z", true},
      {"2024-03-05T10:00:00.123+02:00", true},
      {"2024-03-05T10:00:00 02:00", true},
      {"2024-03-05T10:00:00", false},
      {"2024-03-05", false},
      {"2024-03", false},
      {"2024", false},
      {"not a date", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    Result<DateTimeRange> r = ParseInstant(c.text, "If-Modified");
    EXPECT_EQ(r.ok(), c.ok);
    if (!c.ok) {
      EXPECT_EQ(r.status().code(), Code::kInvalidInput);
      EXPECT_NE(r.status().ToString().find("If-Modified"), std::string::npos);
    }
  }
}

TEST(FormatInstantTest, KnownValues) {
  struct Case {
    std::int64_t epoch_ms;
    std::string_view text;
  };
  const Case cases[] = {
      {0, "1970-01-01T00:00:00.000Z"},
      {1, "1970-01-01T00:00:00.001Z"},
      {-1, "1969-12-31T23:59:59.999Z"},
      {-kDay, "1969-12-31T00:00:00.000Z"},
      {-kDay - 1, "1969-12-30T23:59:59.999Z"},
      {kMoonLanding, "1969-07-20T20:17:40.000Z"},
      {k1900, "1900-01-01T00:00:00.000Z"},
      {kYear1, "0001-01-01T00:00:00.000Z"},
      {k2000Feb29, "2000-02-29T00:00:00.000Z"},
      {k2000Feb29 + kDay - 1, "2000-02-29T23:59:59.999Z"},
      {k2000Feb29 + kDay, "2000-03-01T00:00:00.000Z"},
      {k2024Mar05T10 + 123, "2024-03-05T10:00:00.123Z"},
      {784111777000, "1994-11-06T08:49:37.000Z"},
      {253402300799999, "9999-12-31T23:59:59.999Z"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.epoch_ms);
    EXPECT_EQ(FormatInstant(c.epoch_ms), c.text);
  }
}

TEST(FormatInstantTest, ParsesBackToTheSameInstant) {
  for (std::int64_t ms :
       {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1}, kMoonLanding, k1900 + 7,
        k2000Feb29 + 86'399'999, k2024Mar05T10 + 5, kYear1, std::int64_t{253402300799999}}) {
    SCOPED_TRACE(ms);
    Result<DateTimeRange> r = ParseInstant(FormatInstant(ms), "round trip");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->begin_ms, ms);
    EXPECT_EQ(r->precision, DatePrecision::kMillisecond);
  }
}

TEST(CivilDaysTest, KnownValues) {
  struct Case {
    std::int64_t year;
    unsigned month;
    unsigned day;
    std::int64_t days;
  };
  const Case cases[] = {
      {1970, 1, 1, 0},         {1970, 1, 2, 1},       {1969, 12, 31, -1},   {2000, 2, 29, 11016},
      {2000, 3, 1, 11017},     {2024, 1, 1, 19723},   {1900, 1, 1, -25567}, {1, 1, 1, -719162},
      {9999, 12, 31, 2932896}, {1600, 3, 1, -135080}, {0, 3, 1, -719468},   {0, 1, 1, -719528},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << c.year << "-" << c.month << "-" << c.day);
    EXPECT_EQ(DaysFromCivil(c.year, c.month, c.day), c.days);
    std::int64_t y = 0;
    unsigned m = 0;
    unsigned d = 0;
    CivilFromDays(c.days, y, m, d);
    EXPECT_EQ(y, c.year);
    EXPECT_EQ(m, c.month);
    EXPECT_EQ(d, c.day);
  }
}

// Walks day by day from 1 BCE to past 2400 and checks both directions against a calendar counter.
TEST(CivilDaysTest, RoundTripsOverARange) {
  auto days_in_month = [](std::int64_t y, unsigned m) -> unsigned {
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : kDays[m - 1];
  };
  std::int64_t year = 0;
  unsigned month = 1;
  unsigned day = 1;
  std::int64_t days = DaysFromCivil(0, 1, 1);
  int failures = 0;
  for (; year <= 2500 && failures < 10; ++days) {
    if (DaysFromCivil(year, month, day) != days) {
      ADD_FAILURE() << "DaysFromCivil(" << year << "-" << month << "-" << day << ")";
      ++failures;
    }
    std::int64_t y = 0;
    unsigned m = 0;
    unsigned d = 0;
    CivilFromDays(days, y, m, d);
    if (y != year || m != month || d != day) {
      ADD_FAILURE() << "CivilFromDays(" << days << ") = " << y << "-" << m << "-" << d
                    << ", expected " << year << "-" << month << "-" << day;
      ++failures;
    }
    if (++day > days_in_month(year, month)) {
      day = 1;
      if (++month > 12) {
        month = 1;
        ++year;
      }
    }
  }
  EXPECT_EQ(failures, 0);
}

}  // namespace
}  // namespace schakel::fhir
