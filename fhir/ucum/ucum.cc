#include "fhir/ucum/ucum.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <unordered_map>
#include <utility>

namespace schakel::fhir::ucum {
namespace {

// ---------------------------------------------------------------------------------------------
// The atom table. Each row defines an atom in terms of atoms above it, as UCUM's own table
// (ucum-essence.xml) does: one `code` is `value` times the UCUM term `unit`.

enum class AtomKind : std::uint8_t {
  kBase,       // one of the seven base units
  kDerived,    // value × unit
  kArbitrary,  // a dimension of its own ([IU]); never converted to anything else
  kSpecial,    // non-linear (Cel): value × unit is only the size of one degree
};

struct AtomDef {
  std::string_view code;
  bool metric;  // takes a prefix
  AtomKind kind;
  long double value;
  std::string_view unit;
};

constexpr bool kMetric = true;
constexpr bool kNonMetric = false;

constexpr AtomDef Base(std::string_view code) { return {code, kMetric, AtomKind::kBase, 1, ""}; }
constexpr AtomDef Derived(std::string_view code, bool metric, long double value,
                          std::string_view unit) {
  return {code, metric, AtomKind::kDerived, value, unit};
}
constexpr AtomDef Arbitrary(std::string_view code, bool metric) {
  return {code, metric, AtomKind::kArbitrary, 1, ""};
}
constexpr AtomDef Special(std::string_view code, long double value, std::string_view unit) {
  return {code, kNonMetric, AtomKind::kSpecial, value, unit};
}

constexpr long double kPi = 3.14159265358979323846264338327950288L;

// Values as in UCUM 2.2 (ucum-essence.xml), except the Avogadro number, which is the exact 2019
// SI value.
constexpr AtomDef kAtoms[] = {
    // Base units, in BaseUnit order.
    Base("m"),
    Base("g"),
    Base("s"),
    Base("rad"),
    Base("K"),
    Base("C"),
    Base("cd"),

    // Dimensionless numbers and ratios.
    Derived("10*", kNonMetric, 10, "1"),
    Derived("10^", kNonMetric, 10, "1"),
    Derived("[pi]", kNonMetric, kPi, "1"),
    Derived("%", kNonMetric, 1, "10*-2"),
    Derived("[ppth]", kNonMetric, 1, "10*-3"),
    Derived("[ppm]", kNonMetric, 1, "10*-6"),
    Derived("[ppb]", kNonMetric, 1, "10*-9"),
    Derived("[pptr]", kNonMetric, 1, "10*-12"),
    Derived("mol", kMetric, 6.02214076e23L, "1"),
    Derived("sr", kMetric, 1, "rad2"),
    Derived("deg", kNonMetric, 2, "[pi].rad/360"),
    Derived("gon", kNonMetric, 0.9L, "deg"),
    Derived("bit", kMetric, 1, "1"),
    Derived("By", kMetric, 8, "bit"),

    // SI derived units.
    Derived("Hz", kMetric, 1, "s-1"),
    Derived("N", kMetric, 1, "kg.m/s2"),
    Derived("Pa", kMetric, 1, "N/m2"),
    Derived("J", kMetric, 1, "N.m"),
    Derived("W", kMetric, 1, "J/s"),
    Derived("A", kMetric, 1, "C/s"),
    Derived("V", kMetric, 1, "J/C"),
    Derived("F", kMetric, 1, "C/V"),
    Derived("Ohm", kMetric, 1, "V/A"),
    Derived("S", kMetric, 1, "Ohm-1"),
    Derived("Wb", kMetric, 1, "V.s"),
    Derived("T", kMetric, 1, "Wb/m2"),
    Derived("H", kMetric, 1, "Wb/A"),
    Derived("lm", kMetric, 1, "cd.sr"),
    Derived("lx", kMetric, 1, "lm/m2"),
    Derived("Bq", kMetric, 1, "s-1"),
    Derived("Gy", kMetric, 1, "J/kg"),
    Derived("Sv", kMetric, 1, "J/kg"),
    Derived("Ci", kMetric, 3.7e10L, "Bq"),

    // Volume, area, mass, length.
    Derived("l", kMetric, 1, "dm3"),
    Derived("L", kMetric, 1, "l"),
    Derived("ar", kMetric, 100, "m2"),
    Derived("t", kMetric, 1e3L, "kg"),
    Derived("u", kMetric, 1.6605402e-24L, "g"),
    Derived("Ao", kMetric, 0.1L, "nm"),

    // Time. 'a' and 'mo' are the Julian year and month, as UCUM defines them.
    Derived("min", kNonMetric, 60, "s"),
    Derived("h", kNonMetric, 60, "min"),
    Derived("d", kNonMetric, 24, "h"),
    Derived("wk", kNonMetric, 7, "d"),
    Derived("a_t", kNonMetric, 365.24219L, "d"),
    Derived("a_j", kNonMetric, 365.25L, "d"),
    Derived("a_g", kNonMetric, 365.2425L, "d"),
    Derived("a", kNonMetric, 1, "a_j"),
    Derived("mo_s", kNonMetric, 29.53059L, "d"),
    Derived("mo_j", kNonMetric, 1, "a_j/12"),
    Derived("mo_g", kNonMetric, 1, "a_g/12"),
    Derived("mo", kNonMetric, 1, "mo_j"),

    // International customary length, area and volume.
    Derived("[in_i]", kNonMetric, 2.54L, "cm"),
    Derived("[ft_i]", kNonMetric, 12, "[in_i]"),
    Derived("[yd_i]", kNonMetric, 3, "[ft_i]"),
    Derived("[mi_i]", kNonMetric, 5280, "[ft_i]"),
    Derived("[nmi_i]", kNonMetric, 1852, "m"),
    Derived("[sin_i]", kNonMetric, 1, "[in_i]2"),
    Derived("[sft_i]", kNonMetric, 1, "[ft_i]2"),
    Derived("[cin_i]", kNonMetric, 1, "[in_i]3"),
    Derived("[cft_i]", kNonMetric, 1, "[ft_i]3"),

    // US volumes and metric cooking measures.
    Derived("[gal_us]", kNonMetric, 231, "[cin_i]"),
    Derived("[qt_us]", kNonMetric, 1, "[gal_us]/4"),
    Derived("[pt_us]", kNonMetric, 1, "[qt_us]/2"),
    Derived("[foz_us]", kNonMetric, 1, "[pt_us]/16"),
    Derived("[cup_us]", kNonMetric, 8, "[foz_us]"),
    Derived("[tbs_us]", kNonMetric, 1, "[foz_us]/2"),
    Derived("[tsp_us]", kNonMetric, 1, "[tbs_us]/3"),
    Derived("[tsp_m]", kNonMetric, 5, "mL"),
    Derived("[tbs_m]", kNonMetric, 15, "mL"),
    Derived("[drp]", kNonMetric, 1, "mL/20"),

    // Avoirdupois mass.
    Derived("[gr]", kNonMetric, 64.79891L, "mg"),
    Derived("[lb_av]", kNonMetric, 7000, "[gr]"),
    Derived("[oz_av]", kNonMetric, 1, "[lb_av]/16"),
    Derived("[dr_av]", kNonMetric, 1, "[oz_av]/16"),
    Derived("[stone_av]", kNonMetric, 14, "[lb_av]"),

    // Force and pressure.
    Derived("[g]", kNonMetric, 9.80665L, "m/s2"),
    Derived("gf", kMetric, 1, "g.[g]"),
    Derived("[lbf_av]", kNonMetric, 1, "[lb_av].[g]"),
    Derived("bar", kMetric, 1e5L, "Pa"),
    Derived("atm", kNonMetric, 101325, "Pa"),
    Derived("m[Hg]", kMetric, 133.3220L, "kPa"),
    Derived("m[H2O]", kMetric, 9.80665L, "kPa"),
    Derived("[in_i'Hg]", kNonMetric, 1, "m[Hg].[in_i]/m"),
    Derived("[psi]", kNonMetric, 1, "[lbf_av]/[in_i]2"),

    // Chemistry and clinical units.
    Derived("eq", kMetric, 1, "mol"),
    Derived("osm", kMetric, 1, "mol"),
    Derived("kat", kMetric, 1, "mol/s"),
    Derived("U", kMetric, 1, "umol/min"),
    Derived("g%", kMetric, 1, "g/dL"),

    // Energy.
    Derived("cal_th", kMetric, 4.184L, "J"),
    Derived("cal", kMetric, 1, "cal_th"),
    Derived("cal_IT", kMetric, 4.1868L, "J"),
    Derived("cal_[15]", kMetric, 4.18580L, "J"),
    Derived("cal_[20]", kMetric, 4.18190L, "J"),
    Derived("cal_m", kMetric, 4.19002L, "J"),
    Derived("[Cal]", kNonMetric, 1, "kcal_th"),

    // Temperature: Kelvin is a base unit; the Rankine degree is linear, the others are not.
    Derived("[degR]", kNonMetric, 5, "K/9"),
    Special("Cel", 1, "K"),
    Special("[degF]", 5, "K/9"),
    Special("[degRe]", 5, "K/4"),

    // Arbitrary units.
    Arbitrary("[IU]", kMetric),
    Derived("[iU]", kMetric, 1, "[IU]"),
    Arbitrary("[arb'U]", kNonMetric),
    Arbitrary("[USP'U]", kNonMetric),
    Arbitrary("[CFU]", kMetric),
    Arbitrary("[PFU]", kMetric),
};

struct Prefix {
  std::string_view code;
  long double factor;
};
// "da" comes before "d" so that "dam" is a decameter.
constexpr Prefix kPrefixes[] = {
    {"Y", 1e24L},  {"Z", 1e21L},  {"E", 1e18L},  {"P", 1e15L},  {"T", 1e12L},
    {"G", 1e9L},   {"M", 1e6L},   {"k", 1e3L},   {"h", 1e2L},   {"da", 1e1L},
    {"d", 1e-1L},  {"c", 1e-2L},  {"m", 1e-3L},  {"u", 1e-6L},  {"n", 1e-9L},
    {"p", 1e-12L}, {"f", 1e-15L}, {"a", 1e-18L}, {"z", 1e-21L}, {"y", 1e-24L},
};

// Exponents beyond this are refused; the reduced exponents must also fit Canonical::dims.
constexpr int kMaxExponentDigits = 3;
// Integer factors beyond this many digits are refused (long double keeps about 19).
constexpr std::size_t kMaxFactorDigits = 24;

// ---------------------------------------------------------------------------------------------
// A unit while it is being reduced: exponents in int, so that only the result needs checking.

struct Unit {
  long double factor = 1;
  std::array<int, kBaseUnitCount> dims{};
  std::map<std::string, int, std::less<>> arbitrary;
};

// a × b^sign, sign being 1 or -1.
void MultiplyInto(Unit& a, const Unit& b, int sign) {
  a.factor = sign > 0 ? a.factor * b.factor : a.factor / b.factor;
  for (std::size_t i = 0; i < kBaseUnitCount; ++i) a.dims[i] += sign * b.dims[i];
  for (const auto& [atom, exponent] : b.arbitrary) {
    int& e = a.arbitrary[atom];
    e += sign * exponent;
    if (e == 0) a.arbitrary.erase(atom);
  }
}

Unit Power(const Unit& u, int exponent) {
  Unit out;
  out.factor = std::pow(u.factor, static_cast<long double>(exponent));
  for (std::size_t i = 0; i < kBaseUnitCount; ++i) out.dims[i] = u.dims[i] * exponent;
  for (const auto& [atom, e] : u.arbitrary) {
    if (e * exponent != 0) out.arbitrary[atom] = e * exponent;
  }
  return out;
}

struct Atom {
  Unit unit;
  bool metric = false;
  bool special = false;
};
using AtomMap = std::unordered_map<std::string_view, Atom>;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Recursive descent over the UCUM grammar (https://ucum.org/ucum#section-Syntax-Rules):
//   main-term   := "/" term | term
//   term        := term "." component | term "/" component | component
//   component   := annotatable annotation | annotatable | annotation | factor | "(" term ")"
//   annotatable := simple-unit exponent | simple-unit
//   simple-unit := ATOM | PREFIX ATOM(metric)
// Recursion only descends through parentheses, at most kMaxNesting deep.
class Parser {
 public:
  Parser(std::string_view code, const AtomMap& atoms) : code_(code), atoms_(atoms) {}

  Result<Unit> ParseMainTerm() {
    if (code_.empty()) return Error("the unit is empty");
    if (code_.size() > kMaxUnitLength) {
      return Status::InvalidInput("UCUM: unit longer than " + std::to_string(kMaxUnitLength) +
                                  " characters");
    }
    const bool leading_slash = code_[0] == '/';
    if (leading_slash) ++pos_;
    Result<Unit> term = ParseTerm(0);
    if (!term.ok()) return term;
    if (pos_ < code_.size()) return Unexpected();
    Unit out;
    MultiplyInto(out, *term, leading_slash ? -1 : 1);
    SCHAKEL_RETURN_IF_ERROR(CheckFactor(out));
    if (!special_.empty() && (components_ != 1 || leading_slash)) {
      return Error("the special unit '" + special_ + "' cannot be combined with other units");
    }
    return out;
  }

  const std::string& special() const { return special_; }

 private:
  Result<Unit> ParseTerm(int depth) {
    Result<Unit> out = ParseComponent(depth);
    if (!out.ok()) return out;
    while (pos_ < code_.size() && (code_[pos_] == '.' || code_[pos_] == '/')) {
      const int sign = code_[pos_] == '.' ? 1 : -1;
      ++pos_;
      Result<Unit> next = ParseComponent(depth);
      if (!next.ok()) return next;
      MultiplyInto(*out, *next, sign);
      SCHAKEL_RETURN_IF_ERROR(CheckFactor(*out));
    }
    return out;
  }

  Result<Unit> ParseComponent(int depth) {
    if (pos_ >= code_.size()) return Error("a unit is missing at the end");
    const char c = code_[pos_];
    if (c == '(') {
      if (depth >= kMaxNesting) {
        return Error("parentheses nested deeper than " + std::to_string(kMaxNesting));
      }
      ++pos_;
      Result<Unit> inner = ParseTerm(depth + 1);
      if (!inner.ok()) return inner;
      if (pos_ >= code_.size() || code_[pos_] != ')') return Error("a ')' is missing");
      ++pos_;
      return inner;
    }
    if (c == '{') {
      ++components_;
      SCHAKEL_RETURN_IF_ERROR(SkipAnnotation());
      return Unit{};
    }
    if (c == '.' || c == '/' || c == ')' || c == '}') return Unexpected();
    return ParseAnnotatable();
  }

  // A symbol with its exponent, or an integer factor; then an optional annotation.
  Result<Unit> ParseAnnotatable() {
    ++components_;
    const std::size_t start = pos_;
    while (pos_ < code_.size()) {
      const char c = code_[pos_];
      if (c == '.' || c == '/' || c == '(' || c == ')' || c == '{' || c == '}') break;
      if (c == ']') return Unexpected();
      if (c < '!' || c > '~') return Error("invalid character at position " + Position(pos_));
      if (c == '[') {
        const std::size_t close = code_.find(']', pos_ + 1);
        if (close == std::string_view::npos) return Error("a ']' is missing");
        for (std::size_t i = pos_ + 1; i < close; ++i) {
          if (code_[i] < '!' || code_[i] > '~' || code_[i] == '[') {
            return Error("invalid character at position " + Position(i));
          }
        }
        pos_ = close + 1;
        continue;
      }
      ++pos_;
    }
    const std::string_view token = code_.substr(start, pos_ - start);

    Unit out;
    bool all_digits = true;
    for (char c : token) all_digits = all_digits && IsDigit(c);
    if (all_digits) {
      if (token.size() > kMaxFactorDigits) {
        return Error("the factor '" + std::string(token) + "' is too large");
      }
      out.factor = std::strtold(std::string(token).c_str(), nullptr);
      if (out.factor == 0) return Error("a factor of 0 is not a unit");
      return out;
    }

    // Split off the exponent: trailing digits with an optional sign. No atom ends in a digit
    // outside brackets, so "10*3" is 10* to the third and "[in_i]2" a square inch.
    std::size_t symbol_end = token.size();
    while (symbol_end > 0 && IsDigit(token[symbol_end - 1])) --symbol_end;
    const bool has_exponent = symbol_end < token.size();
    if (has_exponent && symbol_end > 0 &&
        (token[symbol_end - 1] == '+' || token[symbol_end - 1] == '-')) {
      --symbol_end;
    }
    const std::string_view symbol = token.substr(0, symbol_end);
    const std::string_view exponent_text = token.substr(symbol_end);
    if (symbol.empty()) return Error("the exponent '" + std::string(token) + "' has no unit");
    if (symbol.back() == '+' || symbol.back() == '-') {
      return Error("the exponent sign in '" + std::string(token) + "' has no digits");
    }
    int exponent = 1;
    if (has_exponent) {
      const std::size_t digits = exponent_text.size() - (IsDigit(exponent_text[0]) ? 0 : 1);
      if (digits > static_cast<std::size_t>(kMaxExponentDigits)) {
        return Error("the exponent in '" + std::string(token) + "' is out of range");
      }
      exponent = std::atoi(std::string(exponent_text).c_str());
    }

    Result<Unit> simple = ParseSimpleUnit(symbol, has_exponent);
    if (!simple.ok()) return simple;
    out = Power(*simple, exponent);
    SCHAKEL_RETURN_IF_ERROR(CheckFactor(out));
    if (pos_ < code_.size() && code_[pos_] == '{') SCHAKEL_RETURN_IF_ERROR(SkipAnnotation());
    return out;
  }

  // An atom, or a prefix and a metric atom. The whole symbol is tried first: "cd" is candela,
  // not a centiday, and "Pa" pascal, not a peta-year.
  Result<Unit> ParseSimpleUnit(std::string_view symbol, bool has_exponent) {
    if (auto it = atoms_.find(symbol); it != atoms_.end()) {
      if (it->second.special) {
        if (has_exponent) {
          return Error("the special unit '" + std::string(symbol) + "' takes no exponent");
        }
        special_ = std::string(symbol);
      }
      return it->second.unit;
    }
    std::string non_metric;
    for (const Prefix& prefix : kPrefixes) {
      if (symbol.size() <= prefix.code.size() || !symbol.starts_with(prefix.code)) continue;
      const std::string_view rest = symbol.substr(prefix.code.size());
      auto it = atoms_.find(rest);
      if (it == atoms_.end()) continue;
      if (!it->second.metric) {
        if (non_metric.empty()) non_metric = std::string(rest);
        continue;
      }
      Unit out = it->second.unit;
      out.factor *= prefix.factor;
      return out;
    }
    if (!non_metric.empty()) {
      return Error("'" + non_metric + "' takes no prefix (in '" + std::string(symbol) + "')");
    }
    return Error("unknown unit '" + std::string(symbol) + "'");
  }

  Status SkipAnnotation() {
    const std::size_t open = pos_;
    for (++pos_; pos_ < code_.size(); ++pos_) {
      const char c = code_[pos_];
      if (c == '}') {
        ++pos_;
        return Status::Ok();
      }
      if (c == '{' || c < ' ' || c > '~') {
        return Error("invalid character in the annotation at position " + Position(pos_));
      }
    }
    return Error("the annotation at position " + Position(open) + " has no '}'");
  }

  Status CheckFactor(const Unit& u) const {
    if (!std::isfinite(u.factor) || u.factor == 0) return Error("the unit's size is out of range");
    return Status::Ok();
  }

  Status Unexpected() const {
    return Error("unexpected '" + std::string(1, code_[pos_]) + "' at position " + Position(pos_));
  }

  static std::string Position(std::size_t pos) { return std::to_string(pos + 1); }

  Status Error(const std::string& why) const {
    return Status::InvalidInput("UCUM: " + why + " in '" + std::string(code_) + "'");
  }

  std::string_view code_;
  const AtomMap& atoms_;
  std::size_t pos_ = 0;
  int components_ = 0;
  std::string special_;
};

// Built once from kAtoms. A row that does not reduce is a bug in the table: abort.
AtomMap BuildAtoms() {
  AtomMap atoms;
  for (const AtomDef& def : kAtoms) {
    Atom atom;
    atom.metric = def.metric;
    switch (def.kind) {
      case AtomKind::kBase:
        for (std::size_t i = 0; i < kBaseUnitCount; ++i) {
          if (kBaseUnitCodes[i] == def.code) atom.unit.dims[i] = 1;
        }
        break;
      case AtomKind::kArbitrary:
        atom.unit.arbitrary[std::string(def.code)] = 1;
        break;
      case AtomKind::kDerived:
      case AtomKind::kSpecial: {
        Parser parser(def.unit, atoms);
        Result<Unit> unit = parser.ParseMainTerm();
        if (!unit.ok() || !parser.special().empty()) {
          std::fprintf(stderr, "ucum: bad atom table row %.*s: %s\n",
                       static_cast<int>(def.code.size()), def.code.data(),
                       std::string(unit.status().message()).c_str());
          std::abort();
        }
        atom.unit = std::move(unit).value();
        atom.unit.factor *= def.value;
        atom.special = def.kind == AtomKind::kSpecial;
        break;
      }
    }
    if (!atoms.emplace(def.code, std::move(atom)).second) {
      std::fprintf(stderr, "ucum: duplicate atom %.*s\n", static_cast<int>(def.code.size()),
                   def.code.data());
      std::abort();
    }
  }
  return atoms;
}

const AtomMap& Atoms() {
  static const AtomMap kAtomMap = BuildAtoms();
  return kAtomMap;
}

}  // namespace

Result<Canonical> Parse(std::string_view ucum_code) {
  Parser parser(ucum_code, Atoms());
  Result<Unit> unit = parser.ParseMainTerm();
  if (!unit.ok()) return unit.status();
  Canonical out;
  out.factor = unit->factor;
  for (std::size_t i = 0; i < kBaseUnitCount; ++i) {
    const int d = unit->dims[i];
    if (d < std::numeric_limits<std::int8_t>::min() ||
        d > std::numeric_limits<std::int8_t>::max()) {
      return Status::InvalidInput("UCUM: exponent out of range in '" + std::string(ucum_code) +
                                  "'");
    }
    out.dims[i] = static_cast<std::int8_t>(d);
  }
  for (const auto& [atom, exponent] : unit->arbitrary) out.arbitrary.push_back({atom, exponent});
  out.special = parser.special();
  return out;
}

std::string CanonicalUnitString(const Canonical& unit) {
  if (unit.is_special()) return unit.special;
  std::string out;
  auto append = [&out](std::string_view code, int exponent) {
    if (!out.empty()) out += '.';
    out += code;
    if (exponent != 1) out += std::to_string(exponent);
  };
  for (const bool positive : {true, false}) {
    for (std::size_t i = 0; i < kBaseUnitCount; ++i) {
      const int d = unit.dims[i];
      if (d != 0 && (d > 0) == positive) append(kBaseUnitCodes[i], d);
    }
    for (const ArbitraryExponent& a : unit.arbitrary) {
      if (a.exponent != 0 && (a.exponent > 0) == positive) append(a.atom, a.exponent);
    }
  }
  return out.empty() ? "1" : out;
}

bool Commensurable(const Canonical& a, const Canonical& b) {
  return a.special == b.special && a.dims == b.dims && a.arbitrary == b.arbitrary;
}

std::optional<long double> Convert(long double value, const Canonical& from, const Canonical& to) {
  if (!Commensurable(from, to)) return std::nullopt;
  return value * from.factor / to.factor;
}

}  // namespace schakel::fhir::ucum
