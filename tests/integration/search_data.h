// The fixed data set of the search tests (search_test.cc): a hand-picked set of the official R4
// examples in ../shared/fhir/r4-examples/ plus hand-written resources for the edge cases the
// examples do not have (accents, dates at precision boundaries and in other timezones, tokens
// without a system, missing values, a deleted resource that another still refers to).
//
// Everything is stored with PUT by id, so the tests know every id. The expectations in
// search_test.cc are derived by hand from the contents listed here and in the example files;
// change one and the other must follow.
//
// Spec: https://hl7.org/fhir/R4/search.html
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "integration/http_client.h"

namespace schakel::integration {

// One resource of the data set.
struct SearchResource {
  std::string type;
  std::string id;
  std::string json;  // the resource as stored (with "id")
};

// The folder of the official examples (SCHAKEL_SHARED_DIR/fhir/r4-examples).
std::string SearchExamplesDir();
// Whether that folder is there (the tests skip without it, like examples_roundtrip_test.cc).
bool SearchExamplesAvailable();

// Every resource of the data set, in load order: the official examples first, then the
// hand-written ones. Sets *error (and returns what it has) when an example cannot be read.
std::vector<SearchResource> SearchDataSet(std::string* error);

// The ids of the data set's resources of `type`, sorted ("example", "f001", ...), including
// the one that LoadSearchData deletes (kDeletedPatient) when `type` is Patient and
// `with_deleted`.
std::vector<std::string> SearchDataIds(std::string_view type, bool with_deleted = false);

// The Patient that LoadSearchData deletes after loading; Observation/obs-gone still refers to it.
inline constexpr std::string_view kDeletedPatient = "gone";

// PUTs every resource of the data set (each must answer 200 or 201), then deletes
// Patient/kDeletedPatient. Returns "" or what went wrong.
std::string LoadSearchData(HttpClient& client);

}  // namespace schakel::integration
