// _summary and _elements: a resource reduced to part of its elements, marked SUBSETTED.
// https://hl7.org/fhir/R4/search.html#summary and #elements
#pragma once

#include <string>
#include <vector>

#include "fhir/definitions/registry.h"
#include "fhir/json/value.h"
#include "fhir/search/query.h"

namespace schakel::fhir::search {

// True when `summary`/`elements` change what a resource looks like (kFalse/kCount and no
// elements leave it whole).
bool Subsets(Summary summary, const std::vector<std::string>& elements);

// The subset of `resource` (a resource JSON object):
//  - Summary::kTrue: the top-level elements the definitions mark isSummary, with id and meta;
//  - Summary::kText: text, id, meta and the mandatory top-level elements;
//  - Summary::kData: everything but text;
//  - `elements` (when not empty): the named top-level elements (a choice by its name without
//    [x]: "value"), with id and meta.
// Nested elements are kept whole (deviation: the spec also subsets inside them for kTrue).
// Adds the SUBSETTED tag to meta.tag
// (http://terminology.hl7.org/CodeSystem/v3-ObservationValue).
json::Value Subset(const json::Value& resource, Summary summary,
                   const std::vector<std::string>& elements, const definitions::Registry& registry);

}  // namespace schakel::fhir::search
