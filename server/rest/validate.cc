// $validate: https://hl7.org/fhir/R4/operation-resource-validate.html
//
//   POST [base]/[type]/$validate        body: the resource, or Parameters(resource, mode, profile)
//   POST [base]/[type]/[id]/$validate   the same, for mode=update or mode=delete
//   GET  [base]/[type]/[id]/$validate   validates the stored current version
//
// Nothing is stored. The answer is 200 with an OperationOutcome listing every issue whenever
// validation could run (also when the resource is invalid); 4xx only when it could not (a body
// that does not parse, the wrong resource type, an unknown id for mode=update/delete).
#include "fhir/json/parse.h"
#include "fhir/json/write.h"
#include "fhir/outcome.h"
#include "server/rest/operations.h"
#include "server/rest/resource_body.h"
#include "server/rest/responses.h"

namespace schakel::server::rest {
namespace {

using fhir::Issue;
using fhir::IssueType;
using fhir::Severity;
using fhir::Status;

struct ValidateRequest {
  fhir::json::Value resource;  // null when none was given
  std::string mode;            // "", create, update, delete, profile
  std::string profile;
};

const std::string* ParameterString(const fhir::json::Value& parameter) {
  for (std::string_view key : {"valueCode", "valueUri", "valueCanonical", "valueString"}) {
    if (const std::string* v = parameter.FindString(key)) return v;
  }
  return nullptr;
}

fhir::Result<ValidateRequest> ReadRequest(const Exchange& ex) {
  ValidateRequest r;
  if (const std::string* mode = ex.target.Param("mode")) r.mode = *mode;
  if (const std::string* profile = ex.target.Param("profile")) r.profile = *profile;
  if (ex.request.body.empty()) return r;
  fhir::Result<fhir::json::Value> body = ParseBody(ex);
  if (!body.ok()) return body.status();
  if (!body->is_object()) return Status::InvalidInput("the body must be a resource or Parameters");
  const std::string* type = body->FindString("resourceType");
  if (type != nullptr && *type == "Parameters" && ex.interaction.type != "Parameters") {
    const fhir::json::Value* parameters = body->Find("parameter");
    if (parameters != nullptr && parameters->is_array()) {
      for (const fhir::json::Value& p : parameters->items()) {
        const std::string* name = p.FindString("name");
        if (name == nullptr) continue;
        if (*name == "resource") {
          if (const fhir::json::Value* resource = p.Find("resource")) r.resource = *resource;
        } else if (*name == "mode") {
          if (const std::string* v = ParameterString(p)) r.mode = *v;
        } else if (*name == "profile") {
          if (const std::string* v = ParameterString(p)) r.profile = *v;
        }
      }
    }
    return r;
  }
  r.resource = std::move(body).value();
  return r;
}

}  // namespace

void HandleValidate(ExchangePtr ex, http::Respond respond) {
  const Interaction& in = ex->interaction;
  fhir::Result<ValidateRequest> request = ReadRequest(*ex);
  if (!request.ok()) return respond(ErrorResponse(request.status(), ex->format));
  ValidateRequest& r = request.value();
  const std::string mode = r.mode;
  if (!mode.empty() && mode != "create" && mode != "update" && mode != "delete" &&
      mode != "profile") {
    return respond(
        ErrorResponse(Status::InvalidInput("mode must be create, update, delete or profile, not '" +
                                           mode.substr(0, 32) + "'"),
                      ex->format));
  }
  if ((mode == "update" || mode == "delete") && in.id.empty()) {
    return respond(
        ErrorResponse(Status::InvalidInput("mode=" + mode + " needs the instance: POST [base]/" +
                                           in.type + "/[id]/$validate"),
                      ex->format));
  }

  std::vector<Issue> issues;
  std::optional<store::ResourceVersion> current;
  if (!in.id.empty()) {
    fhir::Result<store::ResourceVersion> read = ex->api->store->Read(ex->ctx, in.type, in.id);
    if (read.ok() && !read->deleted) current = std::move(read).value();
  }
  if (mode == "delete") {
    issues.push_back(
        {Severity::kInformation,
         IssueType::kInformational,
         current ? "deleting " + in.type + "/" + in.id + " would be accepted"
                 : in.type + "/" + in.id + " does not exist; a delete would change nothing",
         {}});
    return respond(
        FhirResponse(200, fhir::json::Serialize(fhir::OutcomeFromIssues(issues)), ex->format));
  }
  if (r.resource.is_null()) {
    if (!current) {
      return respond(ErrorResponse(in.id.empty()
                                       ? Status::InvalidInput("there is no resource to validate")
                                       : Status::NotFound(in.type + "/" + in.id + " is not known"),
                                   ex->format));
    }
    fhir::Result<fhir::json::Value> stored = fhir::json::Parse(current->json);
    if (!stored.ok()) return respond(ErrorResponse(stored.status(), ex->format));
    r.resource = std::move(stored).value();
  }
  if (!r.resource.is_object()) {
    return respond(
        ErrorResponse(Status::InvalidInput("the resource must be a JSON object"), ex->format));
  }
  const std::string* type = r.resource.FindString("resourceType");
  if (type == nullptr || *type != in.type) {
    return respond(ErrorResponse(
        Status::InvalidInput("the resource to validate must be a " + in.type +
                             (type ? ", not a " + type->substr(0, 64) : std::string())),
        ex->format));
  }

  ex->api->validator->ValidateAgainst(r.resource, r.profile, issues);
  if (mode == "update") {
    const std::string* id = r.resource.FindString("id");
    if (id == nullptr || *id != in.id) {
      issues.push_back({Severity::kError, IssueType::kInvalid,
                        "an update must carry the id of the URL (" + in.id + ")", in.type + ".id"});
    }
  }
  if (issues.empty()) {
    issues.push_back({Severity::kInformation,
                      IssueType::kInformational,
                      "validation successful: no issues found",
                      {}});
  }
  respond(FhirResponse(200, fhir::json::Serialize(fhir::OutcomeFromIssues(issues)), ex->format));
}

}  // namespace schakel::server::rest
