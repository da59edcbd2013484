#include "store/sqlite/index_rows.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace schakel::store::sqlite {
namespace {

namespace search = fhir::search;

// Every insert binds ?1 rid, ?2 type, ?3 param, then the table's own columns from ?4.
constexpr const char* kInsertStringSql =
    "INSERT INTO idx_string (rid, type, param, norm, exact) VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr const char* kInsertTokenSql =
    "INSERT INTO idx_token (rid, type, param, system, code, text, type_system, type_code) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr const char* kInsertDateSql =
    "INSERT INTO idx_date (rid, type, param, low, high) VALUES (?1, ?2, ?3, ?4, ?5)";
// Raises the (type, param) shape of idx_date to cover a resource's values (see schema.cc, v3);
// ?4 the longest range, ?5 whether there were several values. Writes only when it grows.
constexpr const char* kUpsertDateShapeSql =
    "INSERT INTO idx_date_shape (type, param, max_span, multiple) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (type, param) DO UPDATE SET max_span = max(max_span, excluded.max_span), "
    "multiple = max(multiple, excluded.multiple) "
    "WHERE excluded.max_span > max_span OR excluded.multiple > multiple";
constexpr const char* kInsertNumberSql =
    "INSERT INTO idx_number (rid, type, param, value) VALUES (?1, ?2, ?3, ?4)";
constexpr const char* kInsertQuantitySql =
    "INSERT INTO idx_quantity (rid, type, param, value, system, code, unit, canon_value, "
    "canon_unit) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr const char* kInsertReferenceSql =
    "INSERT INTO idx_reference (rid, type, param, target_type, target_id, target_version, url, "
    "ident_system, ident_value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr const char* kInsertUriSql =
    "INSERT INTO idx_uri (rid, type, param, value) VALUES (?1, ?2, ?3, ?4)";
constexpr const char* kInsertCompositeSql =
    "INSERT INTO idx_composite (rid, type, param, "
    "c1_system, c1_code, c1_low, c1_high, c2_system, c2_code, c2_low, c2_high, "
    "c3_system, c3_code, c3_low, c3_high) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

constexpr const char* kDeleteSql[] = {
    "DELETE FROM idx_string WHERE rid = ?1",   "DELETE FROM idx_token WHERE rid = ?1",
    "DELETE FROM idx_date WHERE rid = ?1",     "DELETE FROM idx_number WHERE rid = ?1",
    "DELETE FROM idx_quantity WHERE rid = ?1", "DELETE FROM idx_reference WHERE rid = ?1",
    "DELETE FROM idx_uri WHERE rid = ?1",      "DELETE FROM idx_composite WHERE rid = ?1",
};

void BindOptional(CachedStatement& statement, int index, const std::optional<std::string>& text) {
  if (text) {
    statement.Bind(index, *text);
  } else {
    statement.BindNull(index);
  }
}

void BindOptional(CachedStatement& statement, int index, const std::optional<double>& value) {
  if (value) {
    statement.BindDouble(index, *value);
  } else {
    statement.BindNull(index);
  }
}

// Inserts one row per entry of `rows` with one prepared statement; `bind` binds the columns
// from ?4 on.
template <typename Row, typename BindColumns>
fhir::Status InsertRows(Connection& db, const char* sql, std::int64_t rid, std::string_view type,
                        const std::vector<Row>& rows, BindColumns bind) {
  if (rows.empty()) return fhir::Status::Ok();
  fhir::Result<CachedStatement> statement = db.Prepare(sql);
  if (!statement.ok()) return statement.status();
  for (const Row& row : rows) {
    statement->Bind(1, rid);
    statement->Bind(2, type);
    statement->Bind(3, row.param);
    bind(*statement, row);
    SCHAKEL_RETURN_IF_ERROR(statement->Run());
    statement->Reset();
  }
  return fhir::Status::Ok();
}

// Token, uri, string and reference components compare system/code; the others a range.
bool HasRange(search::ParamType type) {
  return type == search::ParamType::kDate || type == search::ParamType::kNumber ||
         type == search::ParamType::kQuantity;
}

void BindPart(CachedStatement& statement, int first, const search::CompositePart* part) {
  if (part == nullptr) {
    for (int i = 0; i < 4; ++i) statement.BindNull(first + i);
    return;
  }
  BindOptional(statement, first, part->system);
  statement.Bind(first + 1, part->code);
  if (HasRange(part->type)) {
    statement.BindDouble(first + 2, part->low);
    statement.BindDouble(first + 3, part->high);
  } else {
    statement.BindNull(first + 2);
    statement.BindNull(first + 3);
  }
}

// One idx_date_shape upsert per date parameter among `dates`.
fhir::Status RaiseDateShapes(Connection& db, std::string_view type,
                             const std::vector<search::DateIndex>& dates) {
  if (dates.empty()) return fhir::Status::Ok();
  struct Shape {
    std::int64_t max_span = 0;
    int values = 0;
  };
  std::map<std::string_view, Shape> shapes;
  for (const search::DateIndex& row : dates) {
    Shape& shape = shapes[row.param];
    // low and high lie within [kMinTimeMs, kMaxTimeMs], so the difference cannot overflow.
    shape.max_span = std::max(shape.max_span, row.high_ms - row.low_ms);
    ++shape.values;
  }
  fhir::Result<CachedStatement> statement = db.Prepare(kUpsertDateShapeSql);
  if (!statement.ok()) return statement.status();
  for (const auto& [param, shape] : shapes) {
    statement->Bind(1, type);
    statement->Bind(2, param);
    statement->Bind(3, shape.max_span);
    statement->Bind(4, std::int64_t{shape.values > 1 ? 1 : 0});
    SCHAKEL_RETURN_IF_ERROR(statement->Run());
    statement->Reset();
  }
  return fhir::Status::Ok();
}

fhir::Status CheckComposites(const std::vector<search::CompositeIndex>& composites) {
  for (const search::CompositeIndex& composite : composites) {
    if (composite.parts.size() > kMaxCompositeParts) {
      return fhir::Status::Internal("the composite search parameter '" + composite.param +
                                    "' has " + std::to_string(composite.parts.size()) +
                                    " components; the index holds at most " +
                                    std::to_string(kMaxCompositeParts));
    }
  }
  return fhir::Status::Ok();
}

}  // namespace

fhir::Status DeleteIndexRows(Connection& db, std::int64_t rid) {
  for (const char* sql : kDeleteSql) {
    fhir::Result<CachedStatement> statement = db.Prepare(sql);
    if (!statement.ok()) return statement.status();
    statement->Bind(1, rid);
    SCHAKEL_RETURN_IF_ERROR(statement->Run());
  }
  return fhir::Status::Ok();
}

fhir::Status InsertIndexRows(Connection& db, std::int64_t rid, std::string_view type,
                             const search::IndexValues& values) {
  SCHAKEL_RETURN_IF_ERROR(CheckComposites(values.composites));
  SCHAKEL_RETURN_IF_ERROR(InsertRows(db, kInsertStringSql, rid, type, values.strings,
                                     [](CachedStatement& s, const search::StringIndex& row) {
                                       s.Bind(4, row.normalized);
                                       s.Bind(5, row.exact);
                                     }));
  SCHAKEL_RETURN_IF_ERROR(InsertRows(db, kInsertTokenSql, rid, type, values.tokens,
                                     [](CachedStatement& s, const search::TokenIndex& row) {
                                       BindOptional(s, 4, row.system);
                                       s.Bind(5, row.code);
                                       s.Bind(6, row.text);
                                       BindOptional(s, 7, row.type_system);
                                       BindOptional(s, 8, row.type_code);
                                     }));
  SCHAKEL_RETURN_IF_ERROR(InsertRows(db, kInsertDateSql, rid, type, values.dates,
                                     [](CachedStatement& s, const search::DateIndex& row) {
                                       s.Bind(4, row.low_ms);
                                       s.Bind(5, row.high_ms);
                                     }));
  SCHAKEL_RETURN_IF_ERROR(RaiseDateShapes(db, type, values.dates));
  SCHAKEL_RETURN_IF_ERROR(InsertRows(
      db, kInsertNumberSql, rid, type, values.numbers,
      [](CachedStatement& s, const search::NumberIndex& row) { s.BindDouble(4, row.value); }));
  SCHAKEL_RETURN_IF_ERROR(InsertRows(db, kInsertQuantitySql, rid, type, values.quantities,
                                     [](CachedStatement& s, const search::QuantityIndex& row) {
                                       s.BindDouble(4, row.value);
                                       BindOptional(s, 5, row.system);
                                       s.Bind(6, row.code);
                                       s.Bind(7, row.unit);
                                       BindOptional(s, 8, row.canonical_value);
                                       BindOptional(s, 9, row.canonical_unit);
                                     }));
  SCHAKEL_RETURN_IF_ERROR(InsertRows(db, kInsertReferenceSql, rid, type, values.references,
                                     [](CachedStatement& s, const search::ReferenceIndex& row) {
                                       s.Bind(4, row.target_type);
                                       s.Bind(5, row.target_id);
                                       if (row.target_version) {
                                         s.Bind(6, *row.target_version);
                                       } else {
                                         s.BindNull(6);
                                       }
                                       s.Bind(7, row.url);
                                       BindOptional(s, 8, row.identifier_system);
                                       BindOptional(s, 9, row.identifier_value);
                                     }));
  SCHAKEL_RETURN_IF_ERROR(
      InsertRows(db, kInsertUriSql, rid, type, values.uris,
                 [](CachedStatement& s, const search::UriIndex& row) { s.Bind(4, row.value); }));
  SCHAKEL_RETURN_IF_ERROR(InsertRows(db, kInsertCompositeSql, rid, type, values.composites,
                                     [](CachedStatement& s, const search::CompositeIndex& row) {
                                       for (std::size_t i = 0; i < kMaxCompositeParts; ++i) {
                                         BindPart(s, 4 + static_cast<int>(i) * 4,
                                                  i < row.parts.size() ? &row.parts[i] : nullptr);
                                       }
                                     }));
  for (const search::ContainedIndex& contained : values.contained) {
    if (!contained.values.contained.empty()) {
      return fhir::Status::Internal("a contained resource's index has contained resources");
    }
    search::IndexValues own = contained.values;
    own.tokens.push_back({"_id", std::nullopt, contained.id, "", std::nullopt, std::nullopt});
    SCHAKEL_RETURN_IF_ERROR(InsertIndexRows(db, rid, ContainedIndexType(contained.type), own));
  }
  return fhir::Status::Ok();
}

fhir::Status ReplaceIndexRows(Connection& db, std::int64_t rid, std::string_view type,
                              const search::IndexValues& values) {
  SCHAKEL_RETURN_IF_ERROR(DeleteIndexRows(db, rid));
  return InsertIndexRows(db, rid, type, values);
}

}  // namespace schakel::store::sqlite
