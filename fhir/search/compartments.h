// The R4 CompartmentDefinitions (resources/fhir-r4/compartments.ndjson): which search parameters
// put a resource of a given type in a Patient's (Encounter's, ...) compartment.
// https://hl7.org/fhir/R4/compartmentdefinition.html
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/status.h"

namespace schakel::fhir::search {

class Compartments {
 public:
  static Result<std::shared_ptr<const Compartments>> Load(const std::string& resources_dir);

  // True for Patient, Encounter, RelatedPerson, Practitioner and Device.
  bool IsCompartment(std::string_view compartment) const;
  // The parameter codes of `type` that link it to a `compartment` focus; empty when resources
  // of that type are never in such a compartment.
  const std::vector<std::string>& Params(std::string_view compartment, std::string_view type) const;

 private:
  // compartment -> resource type -> parameter codes
  std::map<std::string, std::map<std::string, std::vector<std::string>, std::less<>>, std::less<>>
      params_;
};

}  // namespace schakel::fhir::search
