// Date index entries: every value is the range it denotes. https://hl7.org/fhir/R4/search.html#date
// (and #prefix for how queries compare ranges).
#include <algorithm>

#include "fhir/primitives/date_time.h"
#include "fhir/search/extract_convert.h"

namespace schakel::fhir::search::internal {
namespace {

using Range = std::pair<std::int64_t, std::int64_t>;

constexpr std::int64_t kMsPerSecond = 1'000;
constexpr std::int64_t kMsPerMinute = 60 * kMsPerSecond;
constexpr std::int64_t kMsPerHour = 60 * kMsPerMinute;
constexpr std::int64_t kMsPerDay = 24 * kMsPerHour;

// Precisions of path::DateTimeValue.
constexpr int kYear = 1, kMonth = 2, kDay = 3, kHour = 4, kMinute = 5, kSecond = 6;

std::int64_t StartOfDay(std::int64_t year, int month, int day) {
  return DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * kMsPerDay;
}

// The range a (partial) date or dateTime denotes, in UTC; without a timezone it is taken as UTC.
Range RangeOf(const path::DateTimeValue& v) {
  const int month = v.precision >= kMonth ? v.month : 1;
  const int day = v.precision >= kDay ? v.day : 1;
  const std::int64_t low = StartOfDay(v.year, month, day) +
                           (v.precision >= kHour ? v.hour : 0) * kMsPerHour +
                           (v.precision >= kMinute ? v.minute : 0) * kMsPerMinute +
                           (v.precision >= kSecond ? v.second : 0) * kMsPerSecond +
                           (v.precision > kSecond ? v.millisecond : 0);
  std::int64_t next = low + 1;
  switch (v.precision) {
    case kYear:
      next = StartOfDay(std::int64_t{v.year} + 1, 1, 1);
      break;
    case kMonth:
      next = v.month == 12 ? StartOfDay(std::int64_t{v.year} + 1, 1, 1)
                           : StartOfDay(v.year, v.month + 1, 1);
      break;
    case kDay:
      next = low + kMsPerDay;
      break;
    case kHour:
      next = low + kMsPerHour;
      break;
    case kMinute:
      next = low + kMsPerMinute;
      break;
    case kSecond:
      next = low + kMsPerSecond;
      break;
    default:
      break;
  }
  const std::int64_t offset = v.has_zone ? std::int64_t{v.zone_minutes} * kMsPerMinute : 0;
  return {low - offset, next - 1 - offset};
}

std::optional<Range> RangeOfMember(const json::Value& object, std::string_view key) {
  const std::string* text = object.FindString(key);
  return text != nullptr ? DateRange(*text) : std::nullopt;
}

// start..end; an open end is unbounded. nullopt when neither end is there.
std::optional<Range> PeriodRange(const json::Value& period) {
  if (!period.is_object()) return std::nullopt;
  std::optional<Range> start = RangeOfMember(period, "start");
  std::optional<Range> end = RangeOfMember(period, "end");
  if (!start && !end) return std::nullopt;
  return Range{start ? start->first : kMinTimeMs, end ? end->second : kMaxTimeMs};
}

std::optional<Range> TimingRange(const json::Value& timing) {
  if (!timing.is_object()) return std::nullopt;
  std::optional<Range> out;
  auto widen = [&out](const Range& r) {
    out = out ? Range{std::min(out->first, r.first), std::max(out->second, r.second)} : r;
  };
  if (const json::Value* events = timing.Find("event"); events && events->is_array()) {
    for (const json::Value& event : events->items()) {
      if (!event.is_string()) continue;
      if (std::optional<Range> r = DateRange(event.text())) widen(*r);
    }
  }
  if (const json::Value* repeat = timing.Find("repeat"); repeat && repeat->is_object()) {
    if (const json::Value* bounds = repeat->Find("boundsPeriod")) {
      if (std::optional<Range> r = PeriodRange(*bounds)) widen(*r);
    }
  }
  return out;
}

}  // namespace

std::optional<std::pair<std::int64_t, std::int64_t>> DateRange(std::string_view text) {
  std::optional<path::DateTimeValue> value = path::ParseDateTimeValue(text);
  if (!value.has_value()) return std::nullopt;
  return RangeOf(*value);
}

void AddDates(const path::Item& item, const std::string& param, std::vector<DateIndex>& out) {
  std::optional<Range> range;
  if (item.kind == path::ItemKind::kDate || item.kind == path::ItemKind::kDateTime) {
    range = RangeOf(item.date_time);
  } else if (item.is_node() && item.node != nullptr) {
    const json::Value& node = *item.node;
    if (node.is_string()) {
      if (item.type == "date" || item.type == "dateTime" || item.type == "instant") {
        range = DateRange(node.text());
      }
    } else if (item.type == "Period") {
      range = PeriodRange(node);
    } else if (item.type == "Timing") {
      range = TimingRange(node);
    }
  }
  if (range.has_value()) out.push_back({param, range->first, range->second});
}

}  // namespace schakel::fhir::search::internal
