#include "store/sqlite/search_sql.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <string>
#include <utility>

#include "fhir/search/extract.h"
#include "store/sqlite/index_rows.h"

namespace schakel::store::sqlite {
namespace {

using fhir::Status;
using fhir::search::Contained;
using fhir::search::Criterion;
using fhir::search::Modifier;
using fhir::search::ParamType;
using fhir::search::Prefix;
using fhir::search::Query;
using fhir::search::SearchValue;

constexpr std::int64_t kMsPerYear = 365LL * 24 * 3600 * 1000;

// The smallest string greater than every string that starts with `prefix` ("abc" -> "abd");
// nullopt when there is none (all bytes 0xFF).
std::optional<std::string> PrefixUpperBound(std::string prefix) {
  while (!prefix.empty()) {
    unsigned char last = static_cast<unsigned char>(prefix.back());
    if (last < 0xFF) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return std::nullopt;
}

std::string EscapeLike(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string_view IndexTable(ParamType type) {
  switch (type) {
    case ParamType::kString:
      return "idx_string";
    case ParamType::kToken:
      return "idx_token";
    case ParamType::kDate:
      return "idx_date";
    case ParamType::kNumber:
      return "idx_number";
    case ParamType::kQuantity:
      return "idx_quantity";
    case ParamType::kReference:
      return "idx_reference";
    case ParamType::kUri:
      return "idx_uri";
    case ParamType::kComposite:
      return "idx_composite";
    case ParamType::kSpecial:
      break;
  }
  return "";
}

class Compiler {
 public:
  // `types`: _type of a search across types.
  Compiler(std::int64_t now_ms, const std::vector<std::string>& types,
           const DateShapeLookup& date_shapes)
      : now_ms_(now_ms), types_(types), date_shapes_(date_shapes) {}

  std::vector<SqlValue> binds;

  std::string Bind(SqlValue value) {
    binds.push_back(std::move(value));
    return "?" + std::to_string(binds.size());
  }

  // The WHERE conditions of `query` on alias `r` (without the type and deleted tests).
  // `skip`: a criterion the caller applies itself (the page's driving one). `after_rid`: only
  // rows after this rid are wanted (a later page without _sort), so each criterion's list of
  // matches can leave out the rows before it.
  fhir::Result<std::string> Criteria(const Query& query, std::string_view type, std::string_view r,
                                     const Criterion* skip = nullptr,
                                     std::optional<std::int64_t> after_rid = std::nullopt) {
    std::string sql;
    // Date criteria on a parameter no resource has more than one value of, by parameter: they
    // hold for a resource exactly when its one value meets them all, so they are tested on the
    // same index row.
    std::map<std::string_view, std::vector<const Criterion*>> same_row;
    for (const Criterion& c : query.criteria) {
      if (&c == skip) continue;
      if (OnSameDateRow(c, type)) {
        same_row[c.param->code].push_back(&c);
        continue;
      }
      fhir::Result<std::string> one = Condition(c, type, r, after_rid);
      if (!one.ok()) return one;
      sql += " AND " + *one;
    }
    for (const auto& [code, group] : same_row) {
      std::string all;
      for (const Criterion* c : group) {
        fhir::Result<std::string> any = AnyValue(*c);
        if (!any.ok()) return any;
        all += " AND (" + *any + ")";
      }
      sql += " AND " + std::string(r) + ".rid IN (SELECT rid FROM idx_date WHERE type" +
             TypeIs(type) + " AND param = " + Bind(std::string(code)) + all +
             LowBounds(group, type) + AfterRid(after_rid) + ")";
    }
    if (query.compartment) {
      std::string params;
      for (const auto* p : query.compartment->params) {
        params += (params.empty() ? "" : ", ") + Bind(p->code);
      }
      sql += " AND " + std::string(r) + ".rid IN (SELECT rid FROM idx_reference WHERE type" +
             TypeIs(type) + " AND param IN (" + params +
             ") AND target_type = " + Bind(query.compartment->type) +
             " AND target_id = " + Bind(query.compartment->id) + ")";
    }
    return sql;
  }

  // One criterion on rows `r` of `type`, as an SQL boolean.
  fhir::Result<std::string> Condition(const Criterion& c, std::string_view type, std::string_view r,
                                      std::optional<std::int64_t> after_rid = std::nullopt) {
    if (c.has) return Has(c, type, r);
    const std::string& code = c.param->code;
    if (!c.chain.empty()) return Chain(c, type, r);
    if (code == "_id" && !type.starts_with('#')) return IdCondition(c, type, r);
    if (code == "_lastUpdated") return LastUpdatedCondition(c, r);

    std::string table(IndexTable(c.param->type));
    if (table.empty()) return Status::InvalidInput("parameter '" + c.name + "' is not searchable");
    if (c.modifier == Modifier::kMissing) {
      const bool missing = c.values.front().missing;
      return std::string(r) + ".rid " + (missing ? "NOT IN" : "IN") + " (SELECT rid FROM " + table +
             " WHERE type" + TypeIs(type) + " AND param = " + Bind(code) + ")";
    }
    fhir::Result<std::string> values = AnyValue(c);
    if (!values.ok()) return values;
    // Implied by the values, so they never change which rows match; they only bound the scan.
    const std::string bounds =
        c.param->type == ParamType::kDate ? LowBounds({&c}, type) : std::string();
    const std::string& any = *values;
    if (c.modifier == Modifier::kNot) {
      // :not matches resources without any matching value, including those with no value.
      return std::string(r) + ".rid NOT IN (SELECT rid FROM " + table + " WHERE type" +
             TypeIs(type) + " AND param = " + Bind(code) + " AND (" + any + ")" + bounds + ")";
    }
    return std::string(r) + ".rid IN (SELECT rid FROM " + table + " WHERE type" + TypeIs(type) +
           " AND param = " + Bind(code) + " AND (" + any + ")" + bounds + AfterRid(after_rid) + ")";
  }

  // Whether `c` is a date criterion that Criteria may test on the same index row as the other
  // criteria of its parameter: no resource of `type` has ever had two values of it.
  bool OnSameDateRow(const Criterion& c, std::string_view type) {
    if (c.param == nullptr || c.param->type != ParamType::kDate || c.has || !c.chain.empty() ||
        c.modifier != Modifier::kNone || c.param->code == "_lastUpdated" || type.empty()) {
      return false;
    }
    std::optional<DateShape> shape = Shape(type, c.param->code);
    return shape.has_value() && !shape->multiple;
  }

  // Bounds on idx_date.low that the ANDed criteria of `group` (one parameter) imply, as
  // " AND low >= ?" / " AND low <= ?", so that the (type, param, low) index reads one range.
  // A bound on `high` (gt, ge, ap) becomes one on low through the parameter's longest range.
  std::string LowBounds(const std::vector<const Criterion*>& group, std::string_view type) {
    std::optional<std::int64_t> span;
    if (!group.empty() && !type.empty()) {
      std::optional<DateShape> shape = Shape(type, group.front()->param->code);
      if (shape && shape->max_span_ms <= kMaxUsefulSpanMs) span = shape->max_span_ms;
    }
    std::optional<std::int64_t> lo, hi;  // ANDed: the tightest of the criteria's
    for (const Criterion* c : group) {
      if (c->values.empty()) return "";
      // ORed values: the loosest; one value without a bound leaves that side open.
      LowRange any = ValueLowRange(c->values.front(), span);
      for (std::size_t i = 1; i < c->values.size(); ++i) {
        LowRange one = ValueLowRange(c->values[i], span);
        any.lo = any.lo && one.lo ? std::optional(std::min(*any.lo, *one.lo)) : std::nullopt;
        any.hi = any.hi && one.hi ? std::optional(std::max(*any.hi, *one.hi)) : std::nullopt;
      }
      if (any.lo) lo = lo ? std::max(*lo, *any.lo) : *any.lo;
      if (any.hi) hi = hi ? std::min(*hi, *any.hi) : *any.hi;
    }
    std::string sql;
    if (lo) sql += " AND low >= " + Bind(*lo);
    if (hi) sql += " AND low <= " + Bind(*hi);
    return sql;
  }

  std::string AfterRid(std::optional<std::int64_t> after_rid) {
    return after_rid ? " AND rid > " + Bind(*after_rid) : std::string();
  }

 private:
  // The type index rows must have, as an SQL predicate on their `type` column (" = ?1"): the
  // searched type; in a search across types, one of _type's (or, without _type, any). Never
  // the row's own type (`= r.type`): that makes the subquery correlated, run again for every
  // resource row (a search across types took seconds). The rid ties an index row to its
  // resource, so the type is only there to let the (type, param, ...) indexes serve.
  std::string TypeIs(std::string_view type) {
    if (!type.empty()) return " = " + Bind(std::string(type));
    if (types_.empty()) return " IN (SELECT DISTINCT type FROM resource)";
    std::string list;
    for (const std::string& t : types_) list += (list.empty() ? "" : ", ") + Bind(t);
    return " IN (" + list + ")";
  }

  fhir::Result<std::string> ValueCondition(const fhir::search::SearchParameter& param,
                                           const Criterion& c, const SearchValue& v) {
    switch (param.type) {
      case ParamType::kString:
        return StringCondition(c.modifier, v, "norm", "exact");
      case ParamType::kToken:
        return TokenCondition(c.modifier, v, "system", "code", "text");
      case ParamType::kDate:
        return DateCondition(v, "low", "high");
      case ParamType::kNumber:
        return NumberCondition(v.prefix, v.number, v.low, v.high, "value", "value");
      case ParamType::kQuantity:
        return QuantityCondition(v, "value", "system", "code", "canon_value", "canon_unit");
      case ParamType::kReference:
        return ReferenceCondition(c, v);
      case ParamType::kUri:
        return UriCondition(c.modifier, v.text, "value");
      case ParamType::kComposite:
        return CompositeCondition(param, v);
      case ParamType::kSpecial:
        break;
    }
    return Status::InvalidInput("parameter '" + c.name + "' is not searchable");
  }

  std::string StringCondition(Modifier modifier, const SearchValue& v, std::string_view norm,
                              std::string_view exact) {
    if (modifier == Modifier::kExact) {
      // The stored norm is NormalizeString(exact), so an exact match has this norm too: that
      // lets the (type, param, norm) index find it instead of reading every value.
      return std::string(norm) + " = " + Bind(fhir::search::NormalizeString(v.text)) + " AND " +
             std::string(exact) + " = " + Bind(v.text);
    }
    if (modifier == Modifier::kContains) {
      return std::string(norm) + " LIKE " + Bind("%" + EscapeLike(v.text) + "%") + " ESCAPE '\\'";
    }
    // Starts with: a range, so the (type, param, norm) index serves it.
    std::string sql = std::string(norm) + " >= " + Bind(v.text);
    if (std::optional<std::string> upper = PrefixUpperBound(v.text)) {
      sql += " AND " + std::string(norm) + " < " + Bind(*upper);
    }
    return sql;
  }

  std::string TokenCondition(Modifier modifier, const SearchValue& v, std::string_view system,
                             std::string_view code, std::string_view text) {
    if (modifier == Modifier::kText) {
      std::string sql = std::string(text) + " >= " + Bind(v.text);
      if (std::optional<std::string> upper = PrefixUpperBound(v.text)) {
        sql += " AND " + std::string(text) + " < " + Bind(*upper);
      }
      return sql;
    }
    if (modifier == Modifier::kOfType) {
      return "type_system = " + Bind(*v.system) + " AND type_code = " + Bind(v.code) + " AND " +
             std::string(code) + " = " + Bind(v.value);
    }
    std::string sql;
    if (!v.code.empty()) sql = std::string(code) + " = " + Bind(v.code);
    if (v.system.has_value()) {
      if (!sql.empty()) sql += " AND ";
      sql += v.system->empty() ? std::string(system) + " IS NULL"
                               : std::string(system) + " = " + Bind(*v.system);
    }
    return sql;
  }

  // Stored range [low, high] against the search range [v.low_ms, v.high_ms], per
  // https://hl7.org/fhir/R4/search.html#prefix.
  std::string DateCondition(const SearchValue& v, std::string_view low, std::string_view high) {
    const std::string l(low), h(high);
    // low <= high, so a value within the search range also starts in it: the redundant bound
    // on low makes it a two-sided range on the (type, param, low) index.
    auto contained = [&] {
      const std::string upper = Bind(v.high_ms);
      return "(" + l + " >= " + Bind(v.low_ms) + " AND " + l + " <= " + upper + " AND " + h +
             " <= " + upper + ")";
    };
    switch (v.prefix) {
      case Prefix::kEq:
        return contained();
      case Prefix::kNe:
        return "NOT " + contained();
      case Prefix::kGt:
        return h + " > " + Bind(v.high_ms);
      case Prefix::kLt:
        return l + " < " + Bind(v.low_ms);
      case Prefix::kGe:
        return "(" + h + " > " + Bind(v.high_ms) + " OR " + contained() + ")";
      case Prefix::kLe:
        return "(" + l + " < " + Bind(v.low_ms) + " OR " + contained() + ")";
      case Prefix::kSa:
        return l + " > " + Bind(v.high_ms);
      case Prefix::kEb:
        return h + " < " + Bind(v.low_ms);
      case Prefix::kAp: {
        const std::int64_t gap = ApGap(v);
        return "(" + l + " <= " + Bind(v.high_ms + gap) + " AND " + h +
               " >= " + Bind(v.low_ms - gap) + ")";
      }
    }
    return contained();
  }

  // A stored point value against a search number with implied range [low, high).
  std::string NumberCondition(Prefix prefix, double number, double low, double high,
                              std::string_view column_low, std::string_view column_high) {
    const std::string lo(column_low), hi(column_high);
    switch (prefix) {
      case Prefix::kEq:
        return lo + " >= " + Bind(low) + " AND " + hi + " < " + Bind(high);
      case Prefix::kNe:
        return "NOT (" + lo + " >= " + Bind(low) + " AND " + hi + " < " + Bind(high) + ")";
      case Prefix::kGt:
      case Prefix::kSa:
        return hi + " > " + Bind(number);
      case Prefix::kLt:
      case Prefix::kEb:
        return lo + " < " + Bind(number);
      case Prefix::kGe:
        return hi + " >= " + Bind(number);
      case Prefix::kLe:
        return lo + " <= " + Bind(number);
      case Prefix::kAp: {
        double gap = std::fabs(number) * 0.1;
        return lo + " >= " + Bind(number - gap) + " AND " + hi + " <= " + Bind(number + gap);
      }
    }
    return "0";
  }

  std::string QuantityCondition(const SearchValue& v, std::string_view value,
                                std::string_view system, std::string_view code,
                                std::string_view canon_value, std::string_view canon_unit) {
    if (v.canonical_unit.has_value()) {
      // Compared in canonical units: 5.4 mg/dL finds 0.054 g/L.
      return std::string(canon_unit) + " = " + Bind(*v.canonical_unit) + " AND " +
             NumberCondition(v.prefix, *v.canonical_number, *v.canonical_low, *v.canonical_high,
                             canon_value, canon_value);
    }
    std::string sql = NumberCondition(v.prefix, v.number, v.low, v.high, value, value);
    if (!v.code.empty()) sql += " AND " + std::string(code) + " = " + Bind(v.code);
    if (v.system.has_value()) sql += " AND " + std::string(system) + " = " + Bind(*v.system);
    return sql;
  }

  fhir::Result<std::string> ReferenceCondition(const Criterion& c, const SearchValue& v) {
    if (c.modifier == Modifier::kIdentifier) {
      std::string sql = "ident_value = " + Bind(v.code);
      if (v.system.has_value()) {
        sql += v.system->empty() ? " AND ident_system IS NULL"
                                 : " AND ident_system = " + Bind(*v.system);
      }
      return sql;
    }
    // subject:Group=Patient/1: the modifier and the value name different types; no reference
    // is both.
    if (!v.ref_type.empty() && !c.target_type.empty() && v.ref_type != c.target_type) {
      return std::string("0");
    }
    std::string sql;
    if (!v.ref_id.empty()) {
      sql = "target_id = " + Bind(v.ref_id);
      std::string type = !v.ref_type.empty() ? v.ref_type : c.target_type;
      if (!type.empty()) sql += " AND target_type = " + Bind(type);
      if (v.version) sql += " AND target_version = " + Bind(*v.version);
      if (!v.url.empty()) sql = "(url = " + Bind(v.url) + " OR (" + sql + "))";
    } else {
      sql = "url = " + Bind(v.url);
    }
    return sql;
  }

  std::string UriCondition(Modifier modifier, const std::string& text, std::string_view column) {
    const std::string col(column);
    if (modifier == Modifier::kBelow) {
      // The value itself, or anything under it as a path. Both start with the value, so one
      // range on the (type, param, value) index holds them all ("a!" sorts between "a" and
      // "a/", hence the second test).
      std::string prefix = text.ends_with('/') ? text : text + "/";
      const std::string exact = Bind(text);
      std::string sql = col + " >= " + exact;
      if (std::optional<std::string> upper = PrefixUpperBound(prefix)) {
        sql += " AND " + col + " < " + Bind(*upper);
      }
      return sql + " AND (" + col + " = " + exact + " OR " + col + " >= " + Bind(prefix) + ")";
    }
    if (modifier == Modifier::kAbove) {
      // Stored values the search value is, or lies under.
      return "(" + col + " = " + Bind(text) + " OR (substr(" + Bind(text) + ", 1, length(" + col +
             ")) = " + col + " AND substr(" + Bind(text) + ", length(" + col + ") + 1, 1) = '/'))";
    }
    return col + " = " + Bind(text);
  }

  fhir::Result<std::string> CompositeCondition(const fhir::search::SearchParameter& param,
                                               const SearchValue& v) {
    std::string sql;
    for (std::size_t i = 0; i < v.parts.size() && i < 3; ++i) {
      const auto* component = param.components[i].param;
      const SearchValue& part = v.parts[i];
      const std::string n = "c" + std::to_string(i + 1) + "_";
      std::string one;
      switch (component->type) {
        case ParamType::kToken:
          one = TokenCondition(Modifier::kNone, part, n + "system", n + "code", n + "code");
          break;
        case ParamType::kString:
          one = StringCondition(Modifier::kNone, part, n + "code", n + "code");
          break;
        case ParamType::kUri:
          one = UriCondition(Modifier::kNone, part.text, n + "code");
          break;
        case ParamType::kReference:
          one = n + "code = " +
                Bind(part.ref_type.empty() ? part.ref_id : part.ref_type + "/" + part.ref_id);
          break;
        case ParamType::kDate: {
          SearchValue ms = part;
          one = DateCondition(ms, n + "low", n + "high");
          break;
        }
        case ParamType::kNumber:
          one =
              NumberCondition(part.prefix, part.number, part.low, part.high, n + "low", n + "high");
          break;
        case ParamType::kQuantity:
          if (part.canonical_unit.has_value()) {
            one = n + "code = " + Bind(*part.canonical_unit) + " AND " +
                  NumberCondition(part.prefix, *part.canonical_number, *part.canonical_low,
                                  *part.canonical_high, n + "low", n + "high");
          } else {
            one = NumberCondition(part.prefix, part.number, part.low, part.high, n + "low",
                                  n + "high");
            if (!part.code.empty()) one += " AND " + n + "code = " + Bind(part.code);
          }
          break;
        default:
          return Status::InvalidInput("composite parameter '" + param.code +
                                      "' has a component that cannot be searched");
      }
      if (one.empty()) continue;
      sql += (sql.empty() ? "" : " AND ") + ("(" + one + ")");
    }
    return sql.empty() ? std::string("1") : sql;
  }

  // Through the (type, id) index to the rids: `r.id IN (...)` next to `ORDER BY r.rid` made
  // SQLite walk every resource of the type for two ids.
  fhir::Result<std::string> IdCondition(const Criterion& c, std::string_view type,
                                        std::string_view r) {
    if (c.modifier == Modifier::kMissing) return std::string(c.values[0].missing ? "0" : "1");
    const std::string i = "i" + std::to_string(++alias_);
    std::string ids;
    for (const SearchValue& v : c.values) ids += (ids.empty() ? "" : ", ") + Bind(v.code);
    return std::string(r) + ".rid " + (c.modifier == Modifier::kNot ? "NOT IN" : "IN") +
           " (SELECT " + i + ".rid FROM resource " + i + " WHERE " + i + ".type" + TypeIs(type) +
           " AND " + i + ".id IN (" + ids + "))";
  }

  fhir::Result<std::string> LastUpdatedCondition(const Criterion& c, std::string_view r) {
    if (c.modifier == Modifier::kMissing) return std::string(c.values[0].missing ? "0" : "1");
    std::string any;
    const std::string column = std::string(r) + ".last_updated";
    for (const SearchValue& v : c.values) {
      any += (any.empty() ? "" : " OR ") + ("(" + DateCondition(v, column, column) + ")");
    }
    return "(" + any + ")";
  }

  // subject:Patient.name=x -> r's subject references a Patient whose name matches.
  // One branch per target type, joined by UNION ALL: with an OR between the types SQLite can
  // only scan every reference the parameter has; each branch looks its targets up by
  // (type, param, target_id, target_type).
  fhir::Result<std::string> Chain(const Criterion& c, std::string_view type, std::string_view r) {
    std::string branches;
    for (std::size_t i = 0; i < c.chain_types.size(); ++i) {
      const std::string t = "t" + std::to_string(++alias_);
      fhir::Result<std::string> inner = Condition(*c.chain[i], c.chain_types[i], t);
      if (!inner.ok()) return inner;
      branches += std::string(branches.empty() ? "" : " UNION ALL ") +
                  "SELECT x.rid FROM idx_reference x WHERE x.type" + TypeIs(type) +
                  " AND x.param = " + Bind(c.param->code) +
                  " AND x.target_type = " + Bind(c.chain_types[i]) +
                  " AND x.target_id IN (SELECT " + t + ".id FROM resource " + t + " WHERE " + t +
                  ".type = " + Bind(c.chain_types[i]) + " AND " + t + ".deleted = 0 AND " + *inner +
                  ")";
    }
    return std::string(r) + ".rid IN (" + branches + ")";
  }

 public:
  // The values of a criterion on a plain index table, ORed, as a predicate on that table's
  // columns.
  fhir::Result<std::string> AnyValue(const Criterion& c) {
    std::string any;
    for (const SearchValue& v : c.values) {
      fhir::Result<std::string> one = ValueCondition(*c.param, c, v);
      if (!one.ok()) return one;
      any += (any.empty() ? "" : " OR ") + ("(" + *one + ")");
    }
    return any;
  }

  // The number of resources one plain criterion matches, counted in its index alone: index rows
  // exist only for current, not deleted resources, so the resource table is not needed.
  fhir::Result<std::string> CountOnIndex(const Criterion& c, std::string_view type) {
    fhir::Result<std::string> any = AnyValue(c);
    if (!any.ok()) return any;
    const std::string bounds =
        c.param->type == ParamType::kDate ? LowBounds({&c}, type) : std::string();
    return "SELECT count(DISTINCT rid) FROM " + std::string(IndexTable(c.param->type)) +
           " WHERE type" + TypeIs(type) + " AND param = " + Bind(c.param->code) + " AND (" + *any +
           ")" + bounds;
  }

 private:
  // _has:Observation:patient:code=x -> an Observation whose patient is r matches code=x.
  // Driven from the Observations that match (x by rid, then the target by (type, id)): the
  // unary + keeps SQLite from scanning every patient reference of every Observation through
  // the (type, param, ...) indexes instead.
  fhir::Result<std::string> Has(const Criterion& c, std::string_view type, std::string_view r) {
    const std::string h = "h" + std::to_string(++alias_);
    fhir::Result<std::string> inner = Condition(*c.has->criterion, c.has->type, h);
    if (!inner.ok()) return inner;
    return std::string(r) +
           ".rid IN (SELECT t.rid FROM idx_reference x JOIN resource t ON t.type = "
           "x.target_type AND t.id = x.target_id WHERE x.rid IN (SELECT " +
           h + ".rid FROM resource " + h + " WHERE " + h + ".type = " + Bind(c.has->type) +
           " AND " + h + ".deleted = 0 AND " + *inner + ") AND +x.type = " + Bind(c.has->type) +
           " AND +x.param = " + Bind(c.has->reference->code) +
           " AND +x.target_type = " + Bind(std::string(type)) + ")";
  }

  // Longer ranges (open-ended periods) make a bound through max_span useless, and the
  // arithmetic could overflow.
  static constexpr std::int64_t kMaxUsefulSpanMs = 1000 * kMsPerYear;

  struct LowRange {
    std::optional<std::int64_t> lo, hi;
  };

  // The values of idx_date.low that a stored range meeting `v` can have (see DateCondition),
  // given that no stored range is longer than `span`.
  LowRange ValueLowRange(const SearchValue& v, std::optional<std::int64_t> span) const {
    auto after_high = [&]() -> std::optional<std::int64_t> {
      if (!span) return std::nullopt;
      return v.high_ms - *span + 1;  // high > v.high, and low >= high - span
    };
    switch (v.prefix) {
      case Prefix::kEq:
        return {v.low_ms, v.high_ms};
      case Prefix::kNe:
        return {};
      case Prefix::kGt:
        return {after_high(), std::nullopt};
      case Prefix::kLt:
      case Prefix::kEb:
        return {std::nullopt, v.low_ms - 1};
      case Prefix::kGe: {
        std::optional<std::int64_t> lo = after_high();
        return {lo ? std::optional(std::min(*lo, v.low_ms)) : std::nullopt, std::nullopt};
      }
      case Prefix::kLe:
        return {std::nullopt, v.high_ms};
      case Prefix::kSa:
        return {v.high_ms + 1, std::nullopt};
      case Prefix::kAp: {
        const std::int64_t gap = ApGap(v);
        return {span ? std::optional(v.low_ms - gap - *span) : std::nullopt, v.high_ms + gap};
      }
    }
    return {};
  }

  // How far `ap` reaches either side of its value: 10% of the distance from now, at least a
  // day, at most a century (the spec leaves the width open).
  std::int64_t ApGap(const SearchValue& v) const {
    std::int64_t distance = std::llabs(now_ms_ - v.low_ms);
    std::int64_t gap = std::max<std::int64_t>(distance / 10, 24LL * 3600 * 1000);
    return std::min(gap, 100 * kMsPerYear);
  }

  std::optional<DateShape> Shape(std::string_view type, std::string_view param) {
    if (!date_shapes_) return std::nullopt;
    return date_shapes_(type, param);
  }

  std::int64_t now_ms_;
  const std::vector<std::string>& types_;
  const DateShapeLookup& date_shapes_;
  int alias_ = 0;
};

// The sort key of `key` for row r: the lowest value ascending, the highest descending.
std::string SortExpression(const fhir::search::SortKey& key, std::string_view type,
                           Compiler& compiler) {
  const std::string& code = key.param->code;
  if (code == "_id") return "r.id";
  if (code == "_lastUpdated") return "r.last_updated";
  const char* agg = key.descending ? "max" : "min";
  std::string column;
  switch (key.param->type) {
    case ParamType::kString:
      column = "norm";
      break;
    case ParamType::kToken:
      column = "code";
      break;
    case ParamType::kDate:
      column = key.descending ? "high" : "low";
      break;
    case ParamType::kNumber:
    case ParamType::kQuantity:
    case ParamType::kUri:
      column = "value";
      break;
    case ParamType::kReference:
      column = "target_type || '/' || target_id";
      break;
    default:
      return "NULL";
  }
  // The unary + keeps SQLite on the (rid) index: by (type, param, value) it would walk the
  // values in order until it met this resource's, for every resource (O(n^2): _sort=date over
  // 20,000 Observations took 4 minutes).
  return std::string("(SELECT ") + agg + "(" + column + ") FROM " +
         std::string(IndexTable(key.param->type)) + " s WHERE s.rid = r.rid AND +s.type = " +
         (type.empty() ? std::string("r.type") : compiler.Bind(std::string(type))) +
         " AND +s.param = " + compiler.Bind(code) + ")";
}

fhir::Result<std::string> TypeCondition(const Query& query, Compiler& compiler) {
  if (!query.type.empty()) return "r.type = " + compiler.Bind(query.type);
  if (query.types.empty()) return std::string("1");
  std::string list;
  for (const std::string& t : query.types) list += (list.empty() ? "" : ", ") + compiler.Bind(t);
  return "r.type IN (" + list + ")";
}

std::string CriteriaType(const Query& query) {
  if (!query.type.empty()) return query.type;
  if (query.types.size() == 1) return query.types[0];
  return "";
}

// Whether a criterion of `query` selects a set of rids to start from (r.rid IN (...), or a
// range of _lastUpdated), rather than excluding some (:not, :missing=true).
bool HasDrivingCriterion(const Query& query) {
  if (query.compartment.has_value()) return true;
  for (const Criterion& c : query.criteria) {
    if (c.modifier == Modifier::kNot) continue;
    if (c.modifier == Modifier::kMissing && !c.values.empty() && c.values[0].missing) continue;
    // _id:missing and _lastUpdated:missing compile to a constant.
    if (c.param != nullptr && (c.param->code == "_id" || c.param->code == "_lastUpdated") &&
        c.modifier == Modifier::kMissing) {
      continue;
    }
    return true;
  }
  return false;
}

// The rows after `cursor` in the page order (ORDER BY k0 IS NULL, k0 [DESC], ..., r.rid): a row
// is after it when its first key that differs from the cursor's sorts later, or when all keys
// are equal and its rid is greater. Rows without a value sort last in either direction.
std::string AfterCursor(const Query& query, const SearchCursor& cursor, Compiler& compiler) {
  std::string any;
  std::string equal;  // "k0 = ?1 AND k1 IS NULL AND ": the keys before i equal the cursor's
  for (std::size_t i = 0; i < cursor.keys.size(); ++i) {
    const std::string k = "k" + std::to_string(i);
    const SqlValue& value = cursor.keys[i];
    if (std::holds_alternative<std::nullptr_t>(value)) {
      // Nothing sorts after a missing value but another missing value.
      equal += k + " IS NULL AND ";
      continue;
    }
    const std::string bound = compiler.Bind(value);
    any += "(" + equal + "(" + k + " IS NULL OR " + k + (query.sort[i].descending ? " < " : " > ") +
           bound + ")) OR ";
    equal += k + " = " + bound + " AND ";
  }
  return "(" + any + "(" + equal + "r.rid > " + compiler.Bind(cursor.rid) + "))";
}

// The rows before `cursor` in the page order: the mirror of AfterCursor. A row is before it when
// its first key that differs sorts earlier (a value before a missing one), or when all keys are
// equal and its rid is smaller.
std::string BeforeCursor(const Query& query, const SearchCursor& cursor, Compiler& compiler) {
  std::string any;
  std::string equal;
  for (std::size_t i = 0; i < cursor.keys.size(); ++i) {
    const std::string k = "k" + std::to_string(i);
    const SqlValue& value = cursor.keys[i];
    if (std::holds_alternative<std::nullptr_t>(value)) {
      any += "(" + equal + k + " IS NOT NULL) OR ";
      equal += k + " IS NULL AND ";
      continue;
    }
    const std::string bound = compiler.Bind(value);
    any += "(" + equal + k + (query.sort[i].descending ? " > " : " < ") + bound + ") OR ";
    equal += k + " = " + bound + " AND ";
  }
  return "(" + any + "(" + equal + "r.rid < " + compiler.Bind(cursor.rid) + "))";
}

// Whether criterion `c` can drive a page from its index: one value that fixes every column of
// the index before rid, so that the index lists its matches in rid order (see CompilePage).
bool DrivesInRidOrder(const Criterion& c) {
  if (c.param == nullptr || c.has || !c.chain.empty() || c.values.size() != 1) return false;
  if (c.param->code == "_id" || c.param->code == "_lastUpdated") return false;
  const SearchValue& v = c.values.front();
  switch (c.param->type) {
    case ParamType::kToken:  // (type, param, code, system, rid)
      return c.modifier == Modifier::kNone && v.system.has_value() && !v.system->empty() &&
             !v.code.empty();
    case ParamType::kReference: {  // (type, param, target_id, target_type, rid)
      if (c.modifier != Modifier::kNone && c.modifier != Modifier::kType) return false;
      const std::string& type = !v.ref_type.empty() ? v.ref_type : c.target_type;
      return !v.ref_id.empty() && !type.empty() && v.url.empty() && !v.version &&
             (c.target_type.empty() || v.ref_type.empty() || v.ref_type == c.target_type);
    }
    case ParamType::kUri:  // (type, param, value, rid)
      return c.modifier == Modifier::kNone;
    case ParamType::kString:  // (type, param, norm, rid), then the exact text
      return c.modifier == Modifier::kExact;
    default:
      return false;
  }
}

const Criterion* DrivingCriterion(const Query& query) {
  for (const Criterion& c : query.criteria) {
    if (DrivesInRidOrder(c)) return &c;
  }
  return nullptr;
}

// What a matching row r meets besides r.deleted = 0: its type and the criteria, as
// "<type condition> AND <criterion> AND ...". With _contained=true the criteria are on the index
// rows of r's contained resources of the searched type (ContainedIndexType), r being of any
// type; with _contained=both, either. `skip` and `after_rid` as for Compiler::Criteria.
// https://hl7.org/fhir/R4/search.html#contained
fhir::Result<std::string> Matches(const Query& query, Compiler& compiler,
                                  const Criterion* skip = nullptr,
                                  std::optional<std::int64_t> after_rid = std::nullopt) {
  const std::string type = CriteriaType(query);
  std::string own;
  if (query.contained != Contained::kTrue) {
    fhir::Result<std::string> type_condition = TypeCondition(query, compiler);
    if (!type_condition.ok()) return type_condition;
    fhir::Result<std::string> criteria = compiler.Criteria(query, type, "r", skip, after_rid);
    if (!criteria.ok()) return criteria;
    own = *type_condition + *criteria;
    if (query.contained == Contained::kFalse) return own;
  }
  const std::string contained_type = ContainedIndexType(type);
  fhir::Result<std::string> criteria =
      compiler.Criteria(query, contained_type, "r", nullptr, after_rid);
  if (!criteria.ok()) return criteria;
  // Without criteria: every resource that contains one of the type (each has an _id entry).
  std::string contained =
      query.criteria.empty()
          ? "r.rid IN (SELECT rid FROM idx_token WHERE type = " + compiler.Bind(contained_type) +
                " AND param = '_id')"
          : "1" + *criteria;
  if (query.contained == Contained::kTrue) return contained;
  return "((" + own + ") OR (" + contained + "))";
}

}  // namespace

fhir::Result<SqlQuery> CompilePage(const Query& query, const std::optional<SearchCursor>& cursor,
                                   std::int64_t now_ms, const DateShapeLookup& date_shapes) {
  Compiler compiler(now_ms, query.types, date_shapes);
  const std::string type = CriteriaType(query);
  if (cursor && cursor->keys.size() != query.sort.size()) {
    return Status::InvalidInput(
        "search parameter '_cursor': not a cursor of this search (its _sort differs)");
  }

  // Without _sort the page is in rid order. A criterion whose index lists its matches in rid
  // order drives it: SQLite walks that index from the cursor, joins each row to its resource
  // and stops after count + 1, so a page costs the same at page 1 and page 1,000 however many
  // resources match (the other criteria filter the rows it walks). GROUP BY: a resource with
  // the same value twice is one match.
  const Criterion* driver =
      query.sort.empty() && !type.empty() && query.contained == Contained::kFalse
          ? DrivingCriterion(query)
          : nullptr;
  if (driver != nullptr) {
    fhir::Result<std::string> any = compiler.AnyValue(*driver);
    if (!any.ok()) return any.status();
    std::string sql = "SELECT r.rid, r.type, r.id, v.version, v.seq, v.last_updated, v.body FROM " +
                      std::string(IndexTable(driver->param->type)) +
                      " d JOIN resource r ON r.rid = d.rid JOIN resource_version v ON v.seq = "
                      "r.seq WHERE d.type = " +
                      compiler.Bind(type) + " AND d.param = " + compiler.Bind(driver->param->code) +
                      " AND (" + *any + ")";
    if (cursor)
      sql += (cursor->before ? " AND d.rid < " : " AND d.rid > ") + compiler.Bind(cursor->rid);
    fhir::Result<std::string> matches = Matches(query, compiler, driver);
    if (!matches.ok()) return matches.status();
    sql += " AND r.deleted = 0 AND " + *matches + " GROUP BY d.rid ORDER BY " + "d.rid" +
           (cursor && cursor->before ? " DESC" : "") + " LIMIT " +
           compiler.Bind(static_cast<std::int64_t>(query.count) + 1);
    return SqlQuery{std::move(sql), std::move(compiler.binds)};
  }

  // Otherwise every criterion lists its matches; on a later page without _sort they leave out
  // the rows before the cursor.
  std::optional<std::int64_t> after_rid;
  if (cursor && !cursor->before && query.sort.empty()) after_rid = cursor->rid;
  fhir::Result<std::string> matches = Matches(query, compiler, nullptr, after_rid);
  if (!matches.ok()) return matches.status();

  // Sort keys are the searched resources' values: for _contained=true those of the contained
  // ones; for both, each row's own (r.type's).
  const std::string sort_type = query.contained == Contained::kFalse  ? type
                                : query.contained == Contained::kTrue ? ContainedIndexType(type)
                                                                      : std::string();
  std::vector<std::string> keys;
  for (const auto& key : query.sort) keys.push_back(SortExpression(key, sort_type, compiler));

  std::string sql = "SELECT r.rid, r.type, r.id, v.version, v.seq, v.last_updated, v.body";
  for (std::size_t i = 0; i < keys.size(); ++i) sql += ", " + keys[i] + " AS k" + std::to_string(i);
  sql += " FROM resource r JOIN resource_version v ON v.seq = r.seq WHERE r.deleted = 0 AND " +
         *matches;

  if (cursor) {
    if (keys.empty()) {
      // With a criterion that lists matching rids, that list drives the page (SQLite reads it
      // in rid order); a range on r.rid would instead make it walk every later resource of the
      // type (page 2 of a token search cost about 50 times page 1), hence the unary +. Without one,
      // the range on the type's rid order is the page.
      sql += std::string(" AND ") + (HasDrivingCriterion(query) ? "+" : "") + "r.rid " +
             (cursor->before ? "< " : "> ") + compiler.Bind(cursor->rid);
    } else if (cursor->before) {
      sql += " AND " + BeforeCursor(query, *cursor, compiler);
    } else {
      sql += " AND " + AfterCursor(query, *cursor, compiler);
    }
  }
  // A page before a cursor is read in reverse page order, from the cursor back; the executor
  // turns it round.
  const bool reverse = cursor && cursor->before;
  sql += " ORDER BY ";
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::string k = "k" + std::to_string(i);
    const bool descending = query.sort[i].descending != reverse;
    sql += k + " IS NULL" + (reverse ? " DESC, " : ", ") + k + (descending ? " DESC, " : ", ");
  }
  sql += std::string("r.rid") + (reverse ? " DESC" : "") + " LIMIT " +
         compiler.Bind(static_cast<std::int64_t>(query.count) + 1);
  return SqlQuery{std::move(sql), std::move(compiler.binds)};
}

fhir::Result<SqlQuery> CompileCount(const Query& query, std::int64_t now_ms,
                                    const DateShapeLookup& date_shapes) {
  Compiler compiler(now_ms, query.types, date_shapes);
  if (query.criteria.size() == 1 && !query.compartment && !query.type.empty() &&
      query.contained == Contained::kFalse) {
    const Criterion& c = query.criteria.front();
    const bool plain = c.param != nullptr && !c.has && c.chain.empty() &&
                       c.modifier != Modifier::kNot && c.modifier != Modifier::kMissing &&
                       c.param->code != "_id" && c.param->code != "_lastUpdated" &&
                       !IndexTable(c.param->type).empty();
    if (plain) {
      fhir::Result<std::string> sql = compiler.CountOnIndex(c, query.type);
      if (!sql.ok()) return sql.status();
      return SqlQuery{std::move(sql).value(), std::move(compiler.binds)};
    }
  }
  fhir::Result<std::string> matches = Matches(query, compiler);
  if (!matches.ok()) return matches.status();
  return SqlQuery{"SELECT count(*) FROM resource r WHERE r.deleted = 0 AND " + *matches,
                  std::move(compiler.binds)};
}

// Cursor text: "r<rid>" without sort keys, else "k<rid>" followed by one ".<kind><length>:<value>"
// per key, with a leading "b" for a cursor that pages backwards (before); with kind n (NULL, no
// length or value), i (integer), d (double) or s (text; the server URL-encodes the link). The
// length makes any text safe, dots included.
std::string SearchCursor::Encode() const {
  const std::string direction = before ? "b" : "";
  if (keys.empty()) return direction + "r" + std::to_string(rid);
  std::string out = direction + "k" + std::to_string(rid);
  for (const SqlValue& key : keys) {
    std::string value;
    char kind = 's';
    if (std::holds_alternative<std::nullptr_t>(key)) {
      out += ".n";
      continue;
    } else if (const auto* i = std::get_if<std::int64_t>(&key)) {
      kind = 'i';
      value = std::to_string(*i);
    } else if (const auto* d = std::get_if<double>(&key)) {
      kind = 'd';
      char buffer[64];
      auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, *d);
      value = std::string(buffer, ec == std::errc() ? end : buffer);
    } else {
      value = std::get<std::string>(key);
    }
    out += '.';
    out += kind;
    out += std::to_string(value.size()) + ":" + value;
  }
  return out;
}

fhir::Result<SearchCursor> SearchCursor::Decode(std::string_view text) {
  // Named like the parameter errors of query.cc, so clients see which parameter was wrong.
  const Status bad =
      Status::InvalidInput("search parameter '_cursor': not a cursor this server issued");
  if (text.empty() || text.size() > 2048) return bad;
  SearchCursor cursor;
  if (text.starts_with('b')) {
    cursor.before = true;
    text.remove_prefix(1);
    if (text.empty()) return bad;
  }
  auto parse_int = [](std::string_view digits, std::int64_t& out) {
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
    return ec == std::errc() && end == digits.data() + digits.size();
  };
  const char kind = text[0];
  text.remove_prefix(1);
  if (kind == 'r') {
    if (!parse_int(text, cursor.rid) || cursor.rid < 0) return bad;
    return cursor;
  }
  if (kind != 'k') return bad;
  std::size_t dot = text.find('.');
  if (dot == std::string_view::npos) return bad;
  if (!parse_int(text.substr(0, dot), cursor.rid) || cursor.rid < 0) return bad;
  text.remove_prefix(dot);
  while (!text.empty()) {
    if (text.size() < 2 || text[0] != '.') return bad;
    const char value_kind = text[1];
    text.remove_prefix(2);
    if (value_kind == 'n') {
      cursor.keys.emplace_back(nullptr);
      continue;
    }
    const std::size_t colon = text.find(':');
    std::int64_t length = 0;
    if (colon == std::string_view::npos || !parse_int(text.substr(0, colon), length) ||
        length < 0 || static_cast<std::size_t>(length) > text.size() - colon - 1) {
      return bad;
    }
    const std::string_view value = text.substr(colon + 1, static_cast<std::size_t>(length));
    text.remove_prefix(colon + 1 + static_cast<std::size_t>(length));
    if (value_kind == 'i') {
      std::int64_t i = 0;
      if (!parse_int(value, i)) return bad;
      cursor.keys.emplace_back(i);
    } else if (value_kind == 'd') {
      double d = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), d);
      if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(d)) return bad;
      cursor.keys.emplace_back(d);
    } else if (value_kind == 's') {
      cursor.keys.emplace_back(std::string(value));
    } else {
      return bad;
    }
  }
  if (cursor.keys.empty()) return bad;
  return cursor;
}

}  // namespace schakel::store::sqlite
