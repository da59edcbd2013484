// Compiles a parsed search (fhir::search::Query) to SQL over the index tables of schema v2
// (store/sqlite/schema.cc). Every value is a bound parameter; the SQL text only ever contains
// fixed fragments, table aliases and parameter numbers.
//
// Shapes, with r the resource row:
//   page   SELECT ... FROM resource r JOIN resource_version v ON v.seq = r.seq
//          WHERE r.type = ? AND r.deleted = 0 AND <criteria> AND <cursor>
//          ORDER BY <sort keys>, r.rid LIMIT count + 1
//   count  SELECT count(*) FROM resource r WHERE <the same criteria>
// Each criterion is `r.rid IN (SELECT rid FROM idx_<type> WHERE type = ? AND param = ? AND
// (value OR value ...))` (NOT IN for :not and :missing=true), so SQLite drives the lookup from
// the index table's (type, param, value) index; a chain nests a search on the target type; _has
// searches the other type's references to r.
// https://hl7.org/fhir/R4/search.html
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fhir/search/query.h"
#include "fhir/status.h"
#include "store/sqlite/statement.h"

namespace schakel::store::sqlite {

struct SqlQuery {
  std::string sql;
  std::vector<SqlValue> binds;
};

// Where the previous page ended: the last row's value of each sort key, and its rid. The next
// page starts right after that position in the page order, so rows created or deleted meanwhile
// never shift it (keyset paging, for any number of sort keys). Opaque to clients
// (Encode/Decode), but only ever used as bound values.
struct SearchCursor {
  std::int64_t rid = 0;
  std::vector<SqlValue> keys;  // one per sort key (NULL when the row had none); empty: no _sort
  // A previous link's cursor: the page is the `count` rows right before this position.
  bool before = false;

  std::string Encode() const;
  static fhir::Result<SearchCursor> Decode(std::string_view text);
};

// What idx_date_shape (schema.cc, v3) says of one date parameter on one type: the longest range
// any value has had, and whether a resource has had more than one value. Upper bounds that only
// grow, so plans built on them never miss a row.
struct DateShape {
  std::int64_t max_span_ms = 0;
  bool multiple = false;
};
// The shape of (type, param), read in the search's own transaction; a parameter no resource has
// a value of is DateShape{}. nullopt when it is not known (then no plan relies on it).
using DateShapeLookup =
    std::function<std::optional<DateShape>(std::string_view type, std::string_view param)>;

// The SQL for one page: columns rid, type, id, version, seq, last_updated, body, then one column
// per sort key. `now_ms` is the reference time of the `ap` prefix.
// Without _sort, a criterion with one value that fixes every column of its index before `rid`
// (token system|code, reference Type/id, uri, string:exact) drives the page: the index yields
// its matches in page order, so a page reads about `count` index entries at page 1 and at page
// 1,000 alike, whatever the number of matches.
fhir::Result<SqlQuery> CompilePage(const fhir::search::Query& query,
                                   const std::optional<SearchCursor>& cursor, std::int64_t now_ms,
                                   const DateShapeLookup& date_shapes = {});

// The SQL counting every match.
fhir::Result<SqlQuery> CompileCount(const fhir::search::Query& query, std::int64_t now_ms,
                                    const DateShapeLookup& date_shapes = {});

}  // namespace schakel::store::sqlite
