#include "server/rest/bundle_references.h"

#include <utility>

#include "server/rest/search_support.h"

namespace schakel::server::rest {

using fhir::Status;
using fhir::json::Value;

void VisitReferences(Value& value, const std::function<void(std::string&)>& visit) {
  if (value.is_array()) {
    for (Value& item : value.items()) VisitReferences(item, visit);
    return;
  }
  if (!value.is_object()) return;
  for (fhir::json::Member& member : value.members()) {
    if (member.name == "reference" && member.value.is_string()) {
      std::string text = member.value.text();
      visit(text);
      if (text != member.value.text()) member.value = Value::String(std::move(text));
      continue;
    }
    VisitReferences(member.value, visit);
  }
}

bool IsConditionalReference(std::string_view reference,
                            const fhir::definitions::Registry& registry) {
  std::size_t question = reference.find('?');
  if (question == std::string_view::npos || question == 0) return false;
  std::string_view type = reference.substr(0, question);
  return type.find('/') == std::string_view::npos && registry.IsResourceType(type);
}

Status ParseConditionalReferences(const Exchange& exchange, BundleEntry& entry) {
  Status failure;
  VisitReferences(entry.plan.write.resource, [&](std::string& reference) {
    if (!failure.ok() || !IsConditionalReference(reference, *exchange.api->registry)) return;
    for (const BundleEntry::ConditionalReference& known : entry.conditional_references) {
      if (known.reference == reference) return;
    }
    const std::size_t question = reference.find('?');
    fhir::Result<std::vector<QueryParam>> params =
        ParseForm(std::string_view(reference).substr(question + 1));
    fhir::Result<fhir::search::Query> query =
        params.ok() ? ParseConditionalSearch(exchange, reference.substr(0, question), *params)
                    : fhir::Result<fhir::search::Query>(params.status());
    if (!query.ok()) {
      failure = Status::InvalidInput(
          "the conditional reference '" + reference.substr(0, 200) +
          "' is not a usable search: " + std::string(query.status().message()));
      return;
    }
    entry.conditional_references.push_back({reference, std::move(query).value()});
  });
  return failure;
}

Status ResolveConditionalReferences(store::WriteScope& scope, const BundleEntry& entry,
                                    std::map<std::string, std::string>& resolved) {
  for (const BundleEntry::ConditionalReference& ref : entry.conditional_references) {
    if (resolved.contains(ref.reference)) continue;
    fhir::Result<store::SearchResult> found = scope.Search(ref.query);
    if (!found.ok()) return found.status();
    if (found->matches.size() != 1) {
      return Status::PreconditionFailed(
          "the conditional reference '" + ref.reference.substr(0, 200) + "' matches " +
          (found->matches.empty() ? "no resource" : "more than one resource") +
          "; it must match exactly one");
    }
    const store::ResourceVersion& match = found->matches.front();
    resolved.emplace(ref.reference, match.type + "/" + match.id);
  }
  return Status::Ok();
}

void RewriteReferences(BundleEntry& entry, const std::map<std::string, std::string>& resolved) {
  if (resolved.empty()) return;
  VisitReferences(entry.plan.write.resource, [&](std::string& reference) {
    auto it = resolved.find(reference);
    if (it != resolved.end()) reference = it->second;
  });
}

}  // namespace schakel::server::rest
