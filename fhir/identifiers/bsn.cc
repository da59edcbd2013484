#include "fhir/identifiers/bsn.h"

namespace schakel::fhir::identifiers {

bool IsValidBsn(std::string_view value) {
  constexpr std::size_t kLength = 9;
  if (value.size() != kLength) return false;
  int sum = 0;
  bool all_zero = true;
  for (std::size_t i = 0; i < kLength; ++i) {
    const char c = value[i];
    if (c < '0' || c > '9') return false;
    const int digit = c - '0';
    all_zero = all_zero && digit == 0;
    // Weights 9, 8, ..., 2 for the first eight digits; the last digit counts -1.
    const int weight = i + 1 < kLength ? static_cast<int>(kLength - i) : -1;
    sum += weight * digit;
  }
  // 000000000 passes the arithmetic but is never a number.
  return !all_zero && sum % 11 == 0;
}

}  // namespace schakel::fhir::identifiers
