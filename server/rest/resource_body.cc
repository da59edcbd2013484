#include "server/rest/resource_body.h"

#include "fhir/json/parse.h"
#include "fhir/xml/reader.h"

namespace schakel::server::rest {

using fhir::Status;

fhir::Result<fhir::json::Value> ParseBody(const Exchange& exchange) {
  fhir::Result<Format> format = RequestBodyFormat(exchange.request.Header("Content-Type"));
  if (!format.ok()) return format.status();
  if (*format == Format::kXml) {
    return fhir::xml::ParseResource(exchange.request.body, *exchange.api->registry);
  }
  return fhir::json::Parse(exchange.request.body, exchange.api->options.json_limits);
}

fhir::Result<fhir::json::Value> ReadResourceBody(const Exchange& exchange) {
  const std::string& type = exchange.interaction.type;
  if (exchange.request.body.empty()) {
    SCHAKEL_RETURN_IF_ERROR(RequestBodyFormat(exchange.request.Header("Content-Type")).status());
    return Status::InvalidInput("the request has no body; expected a " + type + " resource");
  }
  fhir::Result<fhir::json::Value> parsed = ParseBody(exchange);
  if (!parsed.ok()) return parsed.status();
  fhir::json::Value& resource = parsed.value();
  if (!resource.is_object()) {
    return Status::InvalidInput("the body must be a JSON object (a FHIR resource)");
  }
  const std::string* resource_type = resource.FindString("resourceType");
  if (resource_type == nullptr) {
    return Status::InvalidInput("the resource has no resourceType (a JSON string)", "resourceType");
  }
  if (*resource_type != type) {
    return Status::InvalidInput(
        "the body is a " + resource_type->substr(0, 64) + " but the URL is for " + type,
        "resourceType");
  }
  if (const fhir::json::Value* id = resource.Find("id"); id != nullptr && !id->is_string()) {
    return Status::InvalidInput("id must be a JSON string", type + ".id");
  }
  if (const fhir::json::Value* meta = resource.Find("meta");
      meta != nullptr && !meta->is_object()) {
    return Status::Unprocessable("meta must be a JSON object", type + ".meta");
  }
  SCHAKEL_RETURN_IF_ERROR(exchange.api->validator->Check(resource));
  return parsed;
}

}  // namespace schakel::server::rest
