// FHIR date, dateTime and instant values as time ranges.
// https://hl7.org/fhir/R4/datatypes.html#dateTime
//
// A value is the range it denotes: "2024" is all of 2024, "2024-03-05T10:00:00Z" one second.
// Times are milliseconds since the Unix epoch, UTC; ranges are half-open [begin, end).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fhir/status.h"

namespace schakel::fhir {

enum class DatePrecision { kYear, kMonth, kDay, kSecond, kMillisecond };

struct DateTimeRange {
  std::int64_t begin_ms = 0;
  std::int64_t end_ms = 0;
  DatePrecision precision = DatePrecision::kDay;
  bool has_time_zone = false;
};

// Parses a FHIR date or dateTime (YYYY, YYYY-MM, YYYY-MM-DD,
// YYYY-MM-DDThh:mm:ss[.f+](Z|+hh:mm|-hh:mm)). A time must carry a zone. Dates without a time are
// taken in UTC. Fractions beyond milliseconds are truncated. `what` names the value in error
// messages (e.g. "_since").
Result<DateTimeRange> ParseDateTime(std::string_view text, std::string_view what);

// The same, but the value must be a full FHIR instant (to the second, with a zone).
Result<DateTimeRange> ParseInstant(std::string_view text, std::string_view what);

// "2026-11-23T13:19:26.123Z".
std::string FormatInstant(std::int64_t epoch_ms);

// Days since 1970-01-01 for a proleptic Gregorian date, and back.
std::int64_t DaysFromCivil(std::int64_t year, unsigned month, unsigned day);
void CivilFromDays(std::int64_t days, std::int64_t& year, unsigned& month, unsigned& day);

}  // namespace schakel::fhir
