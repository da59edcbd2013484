#include "server/rest/operations.h"

#include "server/rest/responses.h"

namespace schakel::server::rest {

const std::vector<OperationEntry>& Operations() {
  static const std::vector<OperationEntry> kOperations = {
      {"$validate", "http://hl7.org/fhir/OperationDefinition/Resource-validate", true, true, false,
       HandleValidate},
      {"$reindex", "", false, false, true, HandleReindex},
  };
  return kOperations;
}

void HandleOperation(ExchangePtr ex, http::Respond respond) {
  const Interaction& in = ex->interaction;
  const bool instance = !in.id.empty();
  for (const OperationEntry& op : Operations()) {
    if (op.name != in.operation) continue;
    const bool level_ok =
        in.type.empty() ? op.system_level : (instance ? op.instance_level : op.type_level);
    if (!level_ok) {
      return respond(ErrorResponse(fhir::Status::NotSupported("the operation " + in.operation +
                                                              " is not defined at this level"),
                                   ex->format));
    }
    return op.handler(std::move(ex), std::move(respond));
  }
  respond(ErrorResponse(fhir::Status::NotSupported("the operation " + in.operation.substr(0, 64) +
                                                   " is not supported by this server"),
                        ex->format));
}

}  // namespace schakel::server::rest
