#include "server/rest/preconditions.h"

namespace schakel::server::rest {

using fhir::Status;

fhir::Result<std::optional<std::int64_t>> IfMatchVersion(const Exchange& ex) {
  if (!ex.request.HasHeader("If-Match")) return std::optional<std::int64_t>();
  std::optional<ETagList> tags = ParseETagList(ex.request.Header("If-Match"));
  if (!tags) return Status::InvalidInput("If-Match must be an entity tag such as W/\"3\"");
  if (tags->any) {
    fhir::Result<store::ResourceVersion> current =
        ex.api->store->Read(ex.ctx, ex.interaction.type, ex.interaction.id);
    if (!current.ok() || current->deleted) {
      return Status::PreconditionFailed("If-Match: * but " + ex.interaction.type + "/" +
                                        ex.interaction.id + " does not exist");
    }
    return std::optional<std::int64_t>(current->version);
  }
  if (tags->versions.size() != 1 || tags->has_foreign) {
    return Status::PreconditionFailed("If-Match must name exactly one version, such as W/\"3\"");
  }
  return std::optional<std::int64_t>(tags->versions.front());
}

}  // namespace schakel::server::rest
