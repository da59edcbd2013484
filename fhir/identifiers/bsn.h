// The Dutch citizen service number (burgerservicenummer, BSN): its naming system and the check
// that tells a well-formed number from a mistyped one.
//
// A BSN is nine digits that pass the "11-test" (elfproef) in its BSN form:
//   9·d1 + 8·d2 + 7·d3 + 6·d4 + 5·d5 + 4·d6 + 3·d7 + 2·d8 − 1·d9 ≡ 0 (mod 11).
// Passing the test says nothing about whether the number was ever issued. The check catches every
// single mistyped digit and most swaps of two neighbouring digits.
// The naming system is Nictiz's (used by the Dutch zib profiles); the test is the one Logius
// documents for the BSN.
#pragma once

#include <string_view>

namespace schakel::fhir::identifiers {

// Identifier.system of a BSN in Dutch FHIR profiles (Nictiz).
inline constexpr std::string_view kBsnSystem = "http://fhir.nl/fhir/NamingSystem/bsn";

// Whether `value` is exactly nine ASCII digits, not all zero, that pass the BSN 11-test. No
// whitespace, dots or missing leading zeros are accepted: normalize before calling.
bool IsValidBsn(std::string_view value);

}  // namespace schakel::fhir::identifiers
