// References between the entries of a batch or transaction, and conditional references.
// https://hl7.org/fhir/R4/http.html#trules ("Resolving references")
//
// A reference is any JSON string member named "reference": Reference.reference everywhere in a
// resource (nested elements, extensions and contained resources included), and the few uri
// elements of that name (Expression.reference, DetectedIssue.reference), which the
// specification also wants rewritten. Other uri elements, and links in the narrative, are not
// rewritten.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "fhir/definitions/registry.h"
#include "fhir/json/value.h"
#include "fhir/status.h"
#include "server/rest/bundle.h"
#include "store/store.h"

namespace schakel::server::rest {

// Calls `visit` with every reference string in `value`; `visit` may change it.
void VisitReferences(fhir::json::Value& value, const std::function<void(std::string&)>& visit);

// True for a conditional reference, "Type?parameters": no '/' before the '?', Type a resource
// type.
bool IsConditionalReference(std::string_view reference,
                            const fhir::definitions::Registry& registry);

// Adds entry.conditional_references for each distinct conditional reference in the entry's
// resource, with its search parsed (strict, as a conditional interaction's; at most 2 matches).
// kInvalidInput for one whose parameters are malformed or unknown.
fhir::Status ParseConditionalReferences(const Exchange& exchange, BundleEntry& entry);

// Runs the searches of entry.conditional_references in `scope` and adds each to `resolved` as
// "Type/id". kPreconditionFailed when one matches nothing or more than one resource.
fhir::Status ResolveConditionalReferences(store::WriteScope& scope, const BundleEntry& entry,
                                          std::map<std::string, std::string>& resolved);

// Replaces every reference in the entry's resource that is a key of `resolved` by its value.
void RewriteReferences(BundleEntry& entry, const std::map<std::string, std::string>& resolved);

}  // namespace schakel::server::rest
