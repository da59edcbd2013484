// Extraction of a resource's search index entries with the FHIRPath engine.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fhir/json/value.h"
#include "fhir/search/index_values.h"
#include "fhir/search/search_parameter.h"
#include "fhir/status.h"

namespace schakel::fhir::search {

// Evaluates every indexable parameter of the resource's type (and the common ones) on
// `resource` and converts what each selects to index entries, per the rules of
// https://hl7.org/fhir/R4/search.html for the parameter's type (e.g. a token parameter on a
// CodeableConcept gives one entry per coding plus one for its text; a date parameter on a
// Period gives its range; on a Timing, the range of its events). Values a parameter's type
// cannot index (a token parameter that selects a HumanName) are skipped. `_id` and
// `_lastUpdated` are not extracted: the store answers them from the resource row. Identical
// entries of one parameter are kept once. Fails with kTooLarge when an evaluation reaches a
// FHIRPath limit or the resource has more than 10,000 entries, and with kInvalidInput when it
// has no resourceType; other evaluation errors leave that parameter without entries. See
// fhir/search/README.md for the conversions and their deviations.
Result<IndexValues> ExtractIndex(const json::Value& resource,
                                 const SearchParameterRegistry& params);

// The reference entries ExtractIndex would give `resource` for the parameters of its type named
// in `codes`, and only those: just their expressions are evaluated, on the resource itself (not
// on its contained resources). Codes that do not name an indexable reference parameter of the
// type give no entries. For questions about a few parameters (compartment membership,
// compartment_membership.h) where extracting the whole index would be wasted work. Fails as
// ExtractIndex does: kInvalidInput without a resourceType, kTooLarge at a limit.
Result<std::vector<ReferenceIndex>> ExtractReferences(const json::Value& resource,
                                                      const std::vector<std::string>& codes,
                                                      const SearchParameterRegistry& params);

// The normal form string search compares: lower case, Latin accents removed (é -> e, ß -> ss),
// runs of whitespace as one space, trimmed.
std::string NormalizeString(std::string_view text);

}  // namespace schakel::fhir::search
