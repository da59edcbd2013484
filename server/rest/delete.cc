// delete: https://hl7.org/fhir/R4/http.html#delete
// A delete adds a version that records the deletion; earlier versions stay readable by vread
// and history. Deleting what does not exist (or is already deleted) succeeds without a new
// version, as the specification allows (200 with an OperationOutcome, or 204).
#include "server/rest/interactions.h"
#include "server/rest/responses.h"

namespace schakel::server::rest {

std::string DescribeDelete(const std::string& type, const WriteResult& result) {
  std::vector<const store::WriteOutcome*> changed;
  for (const store::WriteOutcome& outcome : result.outcomes) {
    if (outcome.changed) changed.push_back(&outcome);
  }
  if (result.outcomes.empty()) return "no " + type + " matches the search; nothing was deleted";
  if (changed.empty()) {
    const store::ResourceVersion& v = result.outcomes.front().version;
    return v.type + "/" + v.id + " does not exist or is already deleted; nothing changed";
  }
  if (changed.size() == 1) {
    const store::ResourceVersion& v = changed.front()->version;
    return "Deleted " + v.type + "/" + v.id + "; version " + std::to_string(v.version) +
           " records the deletion";
  }
  std::string ids;
  for (const store::WriteOutcome* outcome : changed) {
    ids += (ids.empty() ? "" : ", ") + outcome->version.id;
  }
  return "Deleted " + std::to_string(changed.size()) + " " + type + " resources: " + ids;
}

void HandleDelete(ExchangePtr ex, http::Respond respond) {
  const std::string id = ex->interaction.id;
  WriteDelete(std::move(ex), id, std::move(respond));
}

void WriteDelete(ExchangePtr ex, const std::string& id, http::Respond respond) {
  PlannedWrite plan;
  plan.write.kind = store::WriteKind::kDelete;
  plan.write.type = ex->interaction.type;
  plan.write.id = id;
  WriteDelete(std::move(ex), std::move(plan), std::move(respond));
}

void WriteDelete(ExchangePtr ex, PlannedWrite plan, http::Respond respond) {
  if (ex->request.HasHeader("If-Match")) {
    fhir::Result<IfMatch> if_match = ParseIfMatch(ex->request.Header("If-Match"));
    if (!if_match.ok()) return respond(ErrorResponse(if_match.status(), ex->format));
    plan.if_match = *if_match;
  }
  const Exchange& exchange = *ex;
  RunPlannedWrite(
      exchange, std::move(plan), [ex, respond = std::move(respond)](fhir::Result<WriteResult> r) {
        if (!r.ok()) return respond(ErrorResponse(r.status(), ex->format));
        http::Response response;
        if (ex->prefer.return_preference == ReturnPreference::kMinimal) {
          response.status = 204;
        } else {
          response = InformationResponse(200, DescribeDelete(ex->interaction.type, *r), ex->format);
        }
        // Version headers when the delete was of exactly one resource.
        std::size_t changed = 0;
        for (const store::WriteOutcome& outcome : r->outcomes) changed += outcome.changed ? 1 : 0;
        if (changed == 1 && r->outcomes.size() == 1) {
          SetVersionHeaders(response, r->outcomes.front().version);
        }
        respond(std::move(response));
      });
}

}  // namespace schakel::server::rest
