// A small UCUM unit engine: parses a unit code (case-sensitive UCUM, "c/s") and reduces it to
// UCUM's seven base units, so that quantities in different but commensurable units can be
// compared, converted and indexed. https://ucum.org/ucum
//
// Covered:
// - the full UCUM term grammar: `.` and `/` (left-associative: "a/b.c" is (a/b).c), a leading
//   `/`, integer exponents ("m2", "s-1", "10*-3"), parentheses, integer factors ("1000"),
//   annotations ("{score}", "mL{total}"; an annotation counts as 1), square-bracket atoms;
// - the 24 decimal prefixes Y..y on metric atoms; the whole symbol is tried as an atom before
//   prefix + atom, so "cd" is candela, "Pa" pascal, "min" minute, "mm" millimeter;
// - one atom table (ucum.cc, kAtoms): the base and SI-derived units, liters and are, time
//   (min h d wk mo a and their Julian/Gregorian/tropical/synodal forms), the international
//   customary length, area and volume units, avoirdupois mass, US volumes, pressure (bar, atm,
//   mm[Hg], cm[H2O], [psi]), chemistry (mol, eq, osm, kat, U), energy (cal and its variants,
//   [Cal]), dimensionless ratios (%, [ppth], [ppm], [ppb], [pptr], 10*, 10^, [pi]);
// - arbitrary units ([IU], [iU], [arb'U], [USP'U], [CFU], [PFU]): each is a dimension of its own,
//   so 1 [IU]/mL and 1000 [IU]/L are commensurable but [IU] is never commensurable with [arb'U]
//   or with a plain number;
// - special (non-linear) units Cel, [degF], [degRe]: accepted only alone (no prefix, exponent or
//   other unit), and only commensurable with the same special unit. They are never converted
//   arithmetically: 37 Cel is not turned into 310.15 K.
//
// Not covered: the case-insensitive UCUM variant ("MG/DL"), binary prefixes (Ki, Mi, ...),
// physical constants ([c], [h], [k], [e], ...), the CGS and most historical or trade units
// (dyn, erg, Gal, the US survey and apothecaries' systems, the many arbitrary units of
// laboratory medicine beyond those above), and the remaining special units (B, Np, [pH],
// [p'diop], %[slope], [hp_X], ...). Their codes are refused as unknown atoms.
//
// Note that UCUM makes mol (and eq, osm) a dimensionless count (6.02214076e23), so mmol/L is
// commensurable with 10*9/L and with 1/L, as UCUM says it is.
//
// Every function here is pure and thread-safe; the atom table is built once, on first use.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/status.h"

namespace schakel::fhir::ucum {

// UCUM's seven base units, in the order of Canonical::dims.
enum class BaseUnit : std::uint8_t { kMeter, kGram, kSecond, kRadian, kKelvin, kCoulomb, kCandela };
inline constexpr std::size_t kBaseUnitCount = 7;
inline constexpr std::array<std::string_view, kBaseUnitCount> kBaseUnitCodes = {
    "m", "g", "s", "rad", "K", "C", "cd"};

// Bounds for hostile input: longer codes and deeper parentheses are refused.
inline constexpr std::size_t kMaxUnitLength = 256;
inline constexpr int kMaxNesting = 16;

// An arbitrary unit ([IU], [arb'U]) in a reduced unit: a dimension of its own.
struct ArbitraryExponent {
  std::string atom;  // the arbitrary atom's code, e.g. "[IU]"
  int exponent = 0;  // never 0

  bool operator==(const ArbitraryExponent&) const = default;
};

// A unit reduced to UCUM base units: value_in_base_units = value * factor.
struct Canonical {
  long double factor = 1;
  // Exponents of m, g, s, rad, K, C, cd (see BaseUnit).
  std::array<std::int8_t, kBaseUnitCount> dims{};
  // Arbitrary units, sorted by atom; empty for ordinary units.
  std::vector<ArbitraryExponent> arbitrary;
  // Non-empty for a special unit ("Cel", "[degF]"): factor and dims then describe only the size
  // of one degree, and the unit is commensurable with nothing but itself.
  std::string special;

  bool is_arbitrary() const { return !arbitrary.empty(); }
  bool is_special() const { return !special.empty(); }
};

// Parses a UCUM code. Status::InvalidInput, with a message that says why, for syntax errors,
// unknown atoms, prefixes on non-metric atoms, special units inside a term, codes longer than
// kMaxUnitLength, parentheses nested deeper than kMaxNesting, and exponents or factors out of
// range.
Result<Canonical> Parse(std::string_view ucum_code);

// The reduced unit as a UCUM code without factor, stable and usable as an index key: positive
// exponents first, then negative ones, each in base-unit order then arbitrary atoms by code,
// joined by '.': "g.m-1", "m2", "[IU].m-3", "1" for a dimensionless unit. A special unit gives
// its own code ("Cel"). Two units are commensurable exactly when these strings are equal.
std::string CanonicalUnitString(const Canonical& unit);

// Whether values in one unit can be converted to the other: same dimensions, same arbitrary
// units, and, for special units, the same special unit.
bool Commensurable(const Canonical& a, const Canonical& b);

// `value` in unit `from` expressed in unit `to`; nullopt when they are not commensurable.
std::optional<long double> Convert(long double value, const Canonical& from, const Canonical& to);

}  // namespace schakel::fhir::ucum
