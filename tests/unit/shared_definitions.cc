#include "unit/shared_definitions.h"

#include <cstdio>
#include <cstdlib>

namespace schakel::test {
namespace {

template <typename T>
std::shared_ptr<const T> LoadOrExit(fhir::Result<std::shared_ptr<const T>> loaded) {
  if (!loaded.ok()) {
    std::fprintf(stderr, "cannot load the definitions in %s: %s\n", SCHAKEL_RESOURCE_DIR,
                 loaded.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(loaded).value();
}

}  // namespace

const std::shared_ptr<const fhir::definitions::Registry>& SharedRegistry() {
  static const auto* registry = new std::shared_ptr<const fhir::definitions::Registry>(
      LoadOrExit(fhir::definitions::Registry::Load(SCHAKEL_RESOURCE_DIR)));
  return *registry;
}

const std::shared_ptr<const fhir::definitions::ValueSetIndex>& SharedValueSets() {
  static const auto* value_sets = new std::shared_ptr<const fhir::definitions::ValueSetIndex>(
      LoadOrExit(fhir::definitions::ValueSetIndex::Load(SCHAKEL_RESOURCE_DIR)));
  return *value_sets;
}

}  // namespace schakel::test
