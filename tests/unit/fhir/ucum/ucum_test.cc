#include "fhir/ucum/ucum.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <string_view>

namespace schakel::fhir::ucum {
namespace {

Canonical MustParse(std::string_view code) {
  Result<Canonical> c = Parse(code);
  EXPECT_TRUE(c.ok()) << code << ": " << c.status().ToString();
  return c.ok() ? *c : Canonical{};
}

// Relative comparison: factors are long double products of table values.
void ExpectClose(long double actual, long double expected, std::string_view what) {
  const long double tolerance = std::fabs(expected) * 1e-15L;
  EXPECT_LE(std::fabs(actual - expected), tolerance)
      << what << ": got " << static_cast<double>(actual) << ", expected "
      << static_cast<double>(expected);
}

TEST(UcumTest, ConvertsBetweenCommensurableUnits) {
  struct Case {
    std::string_view from;
    std::string_view to;
    long double one_from_in_to;  // 1 `from` expressed in `to`
  };
  const Case cases[] = {
      {"cm", "m", 0.01L},
      {"m", "cm", 100},
      {"mg/dL", "g/L", 0.01L},
      {"kg.m/s2", "N", 1},
      {"N", "kg.m.s-2", 1},
      {"J", "kg.m2/s2", 1},
      {"W", "J/s", 1},
      {"Pa", "N/m2", 1},
      {"mm[Hg]", "Pa", 133.322L},
      {"mm[Hg]", "kPa", 0.133322L},
      {"cm[H2O]", "Pa", 98.0665L},
      {"atm", "Pa", 101325},
      {"bar", "kPa", 100},
      {"/min", "Hz", 1.0L / 60},
      {"Hz", "/min", 60},
      {"/s", "s-1", 1},
      {"10*3/uL", "10*9/L", 1},
      {"10^3/uL", "10*9/L", 1},
      {"1000", "10*3", 1},
      {"10*-3", "1", 0.001L},
      {"[lb_av]", "kg", 0.45359237L},
      {"[lb_av]", "[oz_av]", 16},
      {"[stone_av]", "[lb_av]", 14},
      {"[gr]", "mg", 64.79891L},
      {"[in_i]", "cm", 2.54L},
      {"[ft_i]", "[in_i]", 12},
      {"[yd_i]", "m", 0.9144L},
      {"[mi_i]", "m", 1609.344L},
      {"[gal_us]", "L", 3.785411784L},
      {"%", "1", 0.01L},
      {"[ppm]", "%", 1e-4L},
      {"[ppb]", "[ppm]", 1e-3L},
      {"g%", "g/dL", 1},
      {"mL{total}", "mL", 1},
      {"{score}", "1", 1},
      {"10*3{cells}/uL", "10*9/L", 1},
      {"{beats}/min", "/min", 1},
      {"L", "dm3", 1},
      {"l", "L", 1},
      {"mL", "cm3", 1},
      {"ar", "m2", 100},
      {"dam", "m", 10},
      {"dar", "m2", 10},
      {"ms", "s", 0.001L},
      {"h", "min", 60},
      {"d", "h", 24},
      {"wk", "d", 7},
      {"a", "d", 365.25L},
      {"a", "mo", 12},
      {"mo", "d", 30.4375L},
      {"mmol/L", "mol/m3", 1},
      {"meq/L", "mmol/L", 1},
      {"mosm/kg", "mmol/kg", 1},
      {"kat", "mol/s", 1},
      {"U", "umol/min", 1},
      {"U/L", "ukat/L", 1.0L / 60},
      {"cal", "J", 4.184L},
      {"kcal", "[Cal]", 1},
      {"kg/m2", "g/cm2", 0.1L},
      {"g/m/s", "g/(m.s)", 1},
      {"m2", "m.m", 1},
      {"(m2)/(m)", "m", 1},
      {"deg", "rad", 3.14159265358979323846L / 180},
      {"[IU]/L", "m[IU]/mL", 1},
      {"[iU]", "[IU]", 1},
      {"[degR]", "K", 5.0L / 9},
      {"Cel", "Cel", 1},
      {"[degF]", "[degF]", 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.from) + " -> " + std::string(c.to));
    const Canonical from = MustParse(c.from);
    const Canonical to = MustParse(c.to);
    ASSERT_TRUE(Commensurable(from, to));
    std::optional<long double> v = Convert(1, from, to);
    ASSERT_TRUE(v.has_value());
    ExpectClose(*v, c.one_from_in_to, "factor");
  }
}

TEST(UcumTest, KeepsIncommensurableUnitsApart) {
  struct Case {
    std::string_view a;
    std::string_view b;
  };
  // Candela is not a day; arbitrary units stand alone and apart from each other; special units
  // are never converted, not even to the unit that gives their degree's size.
  const Case cases[] = {
      {"m", "s"},   {"m", "m2"},       {"g", "mol"},        {"Pa", "N"},
      {"cd", "d"},  {"[IU]", "1"},     {"[IU]", "[arb'U]"}, {"[IU]/L", "/L"},
      {"Cel", "K"}, {"Cel", "[degF]"}, {"[degF]", "K"},     {"[degF]", "[degR]"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.a) + " vs " + std::string(c.b));
    const Canonical a = MustParse(c.a);
    const Canonical b = MustParse(c.b);
    EXPECT_FALSE(Commensurable(a, b));
    EXPECT_FALSE(Commensurable(b, a));
    EXPECT_FALSE(Convert(1, a, b).has_value());
  }
}

TEST(UcumTest, TriesTheWholeSymbolBeforeAPrefix) {
  const Canonical candela = MustParse("cd");
  EXPECT_EQ(candela.dims[static_cast<std::size_t>(BaseUnit::kCandela)], 1);
  EXPECT_EQ(candela.dims[static_cast<std::size_t>(BaseUnit::kSecond)], 0);
  ExpectClose(candela.factor, 1, "cd");

  const Canonical pascal = MustParse("Pa");
  EXPECT_EQ(CanonicalUnitString(pascal), "g.m-1.s-2");
  ExpectClose(pascal.factor, 1000, "Pa");

  ExpectClose(MustParse("min").factor, 60, "min is a minute");
  ExpectClose(MustParse("mm").factor, 0.001L, "mm");
  ExpectClose(MustParse("m").factor, 1, "m");
  ExpectClose(MustParse("dam").factor, 10, "dam");
  ExpectClose(MustParse("mcd").factor, 0.001L, "millicandela");
}

TEST(UcumTest, CanonicalUnitStrings) {
  struct Case {
    std::string_view code;
    std::string_view canonical;
    long double factor;
  };
  const Case cases[] = {
      {"g/m", "g.m-1", 1},
      {"m2", "m2", 1},
      {"cm2", "m2", 1e-4L},
      {"1", "1", 1},
      {"%", "1", 0.01L},
      {"{score}", "1", 1},
      {"m/m", "1", 1},
      {"kg.m/s2", "m.g.s-2", 1000},
      {"N", "m.g.s-2", 1000},
      {"mg/dL", "g.m-3", 10},
      {"/min", "s-1", 1.0L / 60},
      {"Hz", "s-1", 1},
      {"mol/L", "m-3", 6.02214076e26L},
      {"[IU]/L", "[IU].m-3", 1000},
      {"rad2", "rad2", 1},
      {"sr", "rad2", 1},
      {"A", "C.s-1", 1},
      {"Cel", "Cel", 1},
      {"[degF]", "[degF]", 5.0L / 9},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.code);
    const Canonical u = MustParse(c.code);
    EXPECT_EQ(CanonicalUnitString(u), c.canonical);
    ExpectClose(u.factor, c.factor, "factor");
  }
}

TEST(UcumTest, MarksArbitraryAndSpecialUnits) {
  const Canonical iu = MustParse("[IU]/mL");
  EXPECT_TRUE(iu.is_arbitrary());
  EXPECT_FALSE(iu.is_special());
  ASSERT_EQ(iu.arbitrary.size(), 1u);
  EXPECT_EQ(iu.arbitrary[0].atom, "[IU]");
  EXPECT_EQ(iu.arbitrary[0].exponent, 1);

  const Canonical cel = MustParse("Cel");
  EXPECT_TRUE(cel.is_special());
  EXPECT_EQ(cel.special, "Cel");
  EXPECT_TRUE(MustParse("Cel{body}").is_special());
  EXPECT_FALSE(MustParse("K").is_special());
}

TEST(UcumTest, RefusesInvalidCodes) {
  struct Case {
    std::string code;
    std::string_view message;
  };
  const Case cases[] = {
      {"", "empty"},
      {"foo", "unknown unit 'foo'"},
      {"mg/foo", "unknown unit 'foo'"},
      {"m//s", "unexpected '/' at position 3"},
      {"m/", "missing at the end"},
      {"m.", "missing at the end"},
      {".m", "unexpected '.'"},
      {"(m", "')' is missing"},
      {"m)", "unexpected ')'"},
      {"((m)", "')' is missing"},
      {"()", "unexpected ')'"},
      {"[in_i", "']' is missing"},
      {"in_i]", "unexpected ']'"},
      {"{score", "has no '}'"},
      {"m{a{b}}", "invalid character in the annotation"},
      {"m s", "invalid character"},
      {"m\xc3\xa9", "invalid character"},
      {"kmin", "'min' takes no prefix"},
      {"k[in_i]", "'[in_i]' takes no prefix"},
      {"mCel", "'Cel' takes no prefix"},
      {"Cel2", "takes no exponent"},
      {"Cel/s", "cannot be combined"},
      {"/Cel", "cannot be combined"},
      {"[degF].m", "cannot be combined"},
      {"m-", "has no digits"},
      {"2-", "has no digits"},
      {"-2", "has no unit"},
      {"0", "factor of 0"},
      {"m1000", "exponent in 'm1000' is out of range"},
      {"m100.m100", "exponent out of range"},
      {"10*999.10*999.10*999.10*999.10*999", "out of range"},
      {"1000000000000000000000000000000", "too large"},
      {"MG", "unknown unit 'MG'"},  // the case-insensitive variant is not supported
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.code);
    Result<Canonical> r = Parse(c.code);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kInvalidInput);
    EXPECT_NE(r.status().message().find(c.message), std::string_view::npos) << r.status().message();
  }
}

TEST(UcumTest, BoundsLengthAndNesting) {
  std::string long_code = "m";
  while (long_code.size() < 300) long_code += ".m";
  Result<Canonical> too_long = Parse(long_code);
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.status().message().find("longer than 256"), std::string_view::npos);

  std::string at_limit = "m";  // m/m.m/m... stays within the exponent range
  for (bool divide = true; at_limit.size() + 2 <= kMaxUnitLength; divide = !divide) {
    at_limit += divide ? "/m" : ".m";
  }
  EXPECT_TRUE(Parse(at_limit).ok());

  auto nested = [](int depth) {
    return std::string(static_cast<std::size_t>(depth), '(') + "m" +
           std::string(static_cast<std::size_t>(depth), ')');
  };
  EXPECT_TRUE(Parse(nested(kMaxNesting)).ok());
  Result<Canonical> too_deep = Parse(nested(kMaxNesting + 1));
  ASSERT_FALSE(too_deep.ok());
  EXPECT_NE(too_deep.status().message().find("nested deeper than 16"), std::string_view::npos);
  EXPECT_FALSE(Parse(std::string(100, '(')).ok());
  EXPECT_FALSE(Parse(std::string(100000, '(')).ok());
}

// Random strings over the grammar's characters must parse or fail cleanly (run under ASan).
TEST(UcumTest, SurvivesRandomInput) {
  constexpr std::string_view kAlphabet = "mgsKLd[]{}()./-+0123456789*^_'%ciu";
  std::mt19937 rng(20261123);
  std::uniform_int_distribution<std::size_t> pick(0, kAlphabet.size() - 1);
  std::uniform_int_distribution<std::size_t> length(0, 40);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string code;
    for (std::size_t n = length(rng); n > 0; --n) code += kAlphabet[pick(rng)];
    Result<Canonical> r = Parse(code);
    if (r.ok()) {
      ++parsed;
      EXPECT_TRUE(std::isfinite(r->factor)) << code;
      EXPECT_GT(r->factor, 0) << code;
    } else {
      EXPECT_EQ(r.status().code(), Code::kInvalidInput) << code;
    }
  }
  EXPECT_GT(parsed, 0);
}

}  // namespace
}  // namespace schakel::fhir::ucum
