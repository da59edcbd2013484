#include "server/rest/responses.h"

#include "fhir/json/parse.h"
#include "fhir/json/write.h"
#include "fhir/outcome.h"
#include "fhir/xml/writer.h"
#include "server/rest/http_headers.h"

namespace schakel::server::rest {

int HttpStatusFor(fhir::Code code) {
  switch (code) {
    case fhir::Code::kOk:
      return 200;
    case fhir::Code::kInvalidInput:
      return 400;
    case fhir::Code::kUnprocessable:
      return 422;
    case fhir::Code::kNotFound:
      return 404;
    case fhir::Code::kGone:
      return 410;
    case fhir::Code::kConflict:
      return 409;
    case fhir::Code::kPreconditionFailed:
      return 412;
    case fhir::Code::kNotSupported:
      return 501;
    case fhir::Code::kMethodNotAllowed:
      return 405;
    case fhir::Code::kNotAcceptable:
      return 406;
    case fhir::Code::kUnsupportedMediaType:
      return 415;
    case fhir::Code::kTooLarge:
      return 413;
    case fhir::Code::kUnauthorized:
      return 401;
    case fhir::Code::kForbidden:
      return 403;
    case fhir::Code::kUnavailable:
      return 503;
    case fhir::Code::kInternal:
      return 500;
  }
  return 500;
}

http::Response FhirResponse(int status, std::string compact_json, const ResponseFormat& format) {
  http::Response response;
  response.status = status;
  if (format.format == Format::kXml && format.registry != nullptr) {
    fhir::Result<fhir::json::Value> value = fhir::json::Parse(compact_json);
    fhir::Result<std::string> xml =
        value.ok() ? fhir::xml::WriteResource(*value, *format.registry, format.pretty)
                   : fhir::Result<std::string>(value.status());
    if (xml.ok()) {
      response.body = std::move(xml).value();
      response.SetHeader("Content-Type", std::string(kFhirXmlContentType));
      return response;
    }
    // Our own JSON that cannot be written as XML is a bug; say so in JSON.
    return ErrorResponse(fhir::Status::Internal("the response could not be written as XML: " +
                                                std::string(xml.status().message())),
                         ResponseFormat{});
  }
  response.body = format.pretty ? fhir::json::Pretty(compact_json) : std::move(compact_json);
  response.SetHeader("Content-Type", std::string(kFhirJsonContentType));
  return response;
}

http::Response ErrorResponse(const fhir::Status& status, const ResponseFormat& format) {
  return FhirResponse(HttpStatusFor(status.code()),
                      fhir::json::Serialize(fhir::OutcomeFromStatus(status)), format);
}

http::Response InformationResponse(int status, std::string message, const ResponseFormat& format) {
  return FhirResponse(status, fhir::json::Serialize(fhir::InformationOutcome(std::move(message))),
                      format);
}

void SetVersionHeaders(http::Response& response, const store::ResourceVersion& version) {
  response.SetHeader("ETag", VersionETag(version.version));
  response.SetHeader("Last-Modified", FormatHttpDate(version.last_updated_ms));
}

std::string ResourceUrl(const ApiOptions& options, const std::string& type, const std::string& id) {
  return options.base_url + "/" + type + "/" + id;
}

std::string VersionUrl(const ApiOptions& options, const store::ResourceVersion& version) {
  return ResourceUrl(options, version.type, version.id) + "/_history/" +
         std::to_string(version.version);
}

http::Response WriteResponse(const Exchange& exchange, const store::WriteOutcome& outcome) {
  const store::ResourceVersion& v = outcome.version;
  const int status = outcome.created ? 201 : 200;
  http::Response response;
  switch (exchange.prefer.return_preference) {
    case ReturnPreference::kRepresentation:
      response = FhirResponse(status, v.json, exchange.format);
      break;
    case ReturnPreference::kMinimal:
      response.status = status;
      break;
    case ReturnPreference::kOperationOutcome:
      response =
          InformationResponse(status,
                              std::string(outcome.created ? "Created " : "Updated ") + v.type +
                                  "/" + v.id + " (version " + std::to_string(v.version) + ")",
                              exchange.format);
      break;
  }
  SetVersionHeaders(response, v);
  if (outcome.created) response.SetHeader("Location", VersionUrl(exchange.api->options, v));
  return response;
}

}  // namespace schakel::server::rest
