#include "server/cli/definitions.h"

#include <memory>
#include <vector>

#include "fhir/definitions/profiles.h"
#include "fhir/definitions/registry.h"
#include "fhir/search/compartments.h"
#include "fhir/search/search_parameter.h"

#ifndef SCHAKEL_RESOURCE_DIR
#define SCHAKEL_RESOURCE_DIR "resources"
#endif

namespace schakel::server::cli {

fhir::Result<rest::ApiDefinitions> LoadApiDefinitions(const std::string& resources_dir,
                                                      Logger& logger) {
  const std::string dir = resources_dir.empty() ? SCHAKEL_RESOURCE_DIR : resources_dir;
  auto registry = fhir::definitions::Registry::Load(dir);
  if (!registry.ok()) return registry.status();
  auto value_sets = fhir::definitions::ValueSetIndex::Load(dir);
  if (!value_sets.ok()) return value_sets.status();
  // Constraint profiles (and their value sets) from resources/profiles/; see its README.md.
  auto profiles = fhir::definitions::ProfileRegistry::Load(dir + "/profiles", **registry);
  if (!profiles.ok()) return profiles.status();
  logger.Info("profiles_loaded", {{"profiles", std::to_string((*profiles)->size())}});
  auto validator =
      std::make_shared<const fhir::validation::Validator>(*registry, *value_sets, *profiles);
  std::vector<std::string> search_warnings;
  auto search_params =
      fhir::search::SearchParameterRegistry::Load(dir, *registry, &search_warnings);
  if (!search_params.ok()) return search_params.status();
  for (const std::string& warning : search_warnings) {
    logger.Warn("search_parameter_skipped", {{"detail", warning}});
  }
  logger.Info("search_parameters_loaded",
              {{"parameters", std::to_string((*search_params)->size())}});
  auto compartments = fhir::search::Compartments::Load(dir);
  if (!compartments.ok()) return compartments.status();
  return rest::ApiDefinitions{*registry, validator, *search_params, *compartments};
}

}  // namespace schakel::server::cli
