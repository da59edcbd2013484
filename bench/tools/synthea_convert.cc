#include "bench/tools/synthea_convert.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "fhir/json/parse.h"

namespace schakel::bench::synthea {
namespace {

using fhir::Result;
using fhir::Status;
using fhir::json::Value;

constexpr std::string_view kUrnUuid = "urn:uuid:";
constexpr std::string_view kConditionClinical =
    "http://terminology.hl7.org/CodeSystem/condition-clinical";
constexpr std::string_view kConditionVerStatus =
    "http://terminology.hl7.org/CodeSystem/condition-ver-status";
constexpr std::string_view kClaimType = "http://terminology.hl7.org/CodeSystem/claim-type";
constexpr std::string_view kProcessPriority =
    "http://terminology.hl7.org/CodeSystem/processpriority";
constexpr std::string_view kAdjudication = "http://terminology.hl7.org/CodeSystem/adjudication";
constexpr std::string_view kIso4217 = "urn:iso:std:iso:4217";
constexpr std::string_view kDataAbsentReason =
    "http://hl7.org/fhir/StructureDefinition/data-absent-reason";
// R4's extensions for STU3 elements: https://hl7.org/fhir/R4/versions.html#extensions
constexpr std::string_view kStu3Extension =
    "http://hl7.org/fhir/3.0/StructureDefinition/extension-";

Value String(std::string_view s) { return Value::String(std::string(s)); }

Value Concept(std::string_view system, std::string_view code) {
  Value coding = Value::Object();
  coding.Set("system", String(system));
  coding.Set("code", String(code));
  Value codings = Value::Array();
  codings.Push(std::move(coding));
  Value codeable = Value::Object();
  codeable.Set("coding", std::move(codings));
  return codeable;
}

Value Extension(std::string_view url, std::string_view value_name, Value value) {
  Value extension = Value::Object();
  extension.Set("url", String(url));
  extension.Set(value_name, std::move(value));
  return extension;
}

void AddExtension(Value& element, Value extension) {
  Value* extensions = element.Find("extension");
  if (extensions == nullptr) extensions = &element.Set("extension", Value::Array());
  extensions->Push(std::move(extension));
}

// An element R4 requires that Synthea did not write and the resource does not say: it carries
// only the data-absent-reason extension 'unknown'.
Value Unknown() {
  Value element = Value::Object();
  AddExtension(element, Extension(kDataAbsentReason, "valueCode", String("unknown")));
  return element;
}

Value DisplayReference(const std::string& display) {
  Value reference = Value::Object();
  reference.Set("display", String(display));
  return reference;
}

// The mappings applied to one resource, counted into the tally.
class Mapper {
 public:
  explicit Mapper(Tally* tally) : tally_(tally) {}

  void Note(const std::string& mapping) const {
    if (tally_ != nullptr) ++(*tally_)[mapping];
  }

  // Renames member `from` of `object` to `to` where it stands. `where` names the object in the
  // tally ("Condition", "Claim.item"). When `to` is there already, `from` stays, for validation
  // to report.
  void Rename(Value& object, std::string_view where, std::string_view from,
              std::string_view to) const {
    if (object.Find(to) != nullptr) return;
    for (fhir::json::Member& member : object.members()) {
      if (member.name != from) continue;
      member.name = std::string(to);
      Note(std::string(where) + "." + std::string(from) + " -> " + std::string(to));
      return;
    }
  }

  // Sets `name` to `value` when the resource has no such member.
  void Add(Value& object, std::string_view where, std::string_view name, Value value) const {
    if (object.Find(name) != nullptr) return;
    object.Set(name, std::move(value));
    Note(std::string(where) + "." + std::string(name) + " added");
  }

  // STU3 code -> R4 CodeableConcept of `system` with the same code.
  void CodeToConcept(Value& object, std::string_view where, std::string_view name,
                     std::string_view system) const {
    Value* code = object.Find(name);
    if (code == nullptr || !code->is_string()) return;
    *code = Concept(system, code->text());
    Note(std::string(where) + "." + std::string(name) + " code -> CodeableConcept");
  }

  // STU3 Money (a Quantity: value, system urn:iso:std:iso:4217, code) -> R4 Money (value,
  // currency).
  void Money(Value* money, std::string_view where) const {
    if (money == nullptr || !money->is_object()) return;
    const std::string* system = money->FindString("system");
    const std::string* code = money->FindString("code");
    if (system == nullptr || *system != kIso4217 || code == nullptr) return;
    Value currency = String(*code);
    money->Remove("system");
    money->Remove("code");
    money->Set("currency", std::move(currency));
    Note(std::string(where) + " Money");
  }

 private:
  Tally* tally_;
};

// Calls `f` on each object in the array member `name` of `object`.
template <typename F>
void EachObject(Value& object, std::string_view name, F f) {
  Value* array = object.Find(name);
  if (array == nullptr || !array->is_array()) return;
  for (Value& item : array->items()) {
    if (item.is_object()) f(item);
  }
}

void ConvertCondition(Value& r, const Mapper& m) {
  m.CodeToConcept(r, "Condition", "clinicalStatus", kConditionClinical);
  m.CodeToConcept(r, "Condition", "verificationStatus", kConditionVerStatus);
  m.Rename(r, "Condition", "assertedDate", "recordedDate");
  m.Rename(r, "Condition", "context", "encounter");
}

void ConvertImmunization(Value& r, const Mapper& m) {
  // R4 has no notGiven: Immunization.status says it (completed | not-done).
  if (const Value* not_given = r.Find("notGiven")) {
    if (not_given->is_bool() && not_given->bool_value()) {
      r.Set("status", String("not-done"));
      m.Note("Immunization.notGiven true -> status not-done");
    } else {
      m.Note("Immunization.notGiven false -> removed");
    }
    r.Remove("notGiven");
  }
  m.Rename(r, "Immunization", "date", "occurrenceDateTime");
}

void ConvertEncounter(Value& r, const Mapper& m) {
  m.Rename(r, "Encounter", "reason", "reasonCode");
  EachObject(r, "diagnosis",
             [&](Value& diagnosis) { m.Rename(diagnosis, "Encounter.diagnosis", "role", "use"); });
}

// Observation, Procedure: context -> encounter.
void ConvertContext(Value& r, const Mapper& m) {
  m.Rename(r, *r.FindString("resourceType"), "context", "encounter");
}

void ConvertMedicationRequest(Value& r, const Mapper& m) {
  m.Rename(r, "MedicationRequest", "context", "encounter");
  Value* requester = r.Find("requester");
  if (requester == nullptr || requester->Find("agent") == nullptr) return;
  Value agent = *requester->Find("agent");
  if (const Value* on_behalf_of = requester->Find("onBehalfOf")) {
    AddExtension(agent,
                 Extension(std::string(kStu3Extension) + "MedicationRequest.requester.onBehalfOf",
                           "valueReference", *on_behalf_of));
    m.Note("MedicationRequest.requester.onBehalfOf -> extension");
  }
  *requester = std::move(agent);
  m.Note("MedicationRequest.requester.agent -> requester");
}

void ConvertClaim(Value& r, const Mapper& m) {
  if (Value* use = r.Find("use"); use != nullptr && use->is_string() && use->text() == "complete") {
    *use = String("claim");
    m.Note("Claim.use complete -> claim");
  }
  m.Rename(r, "Claim", "organization", "provider");
  m.Rename(r, "Claim", "information", "supportingInfo");
  EachObject(r, "item", [&](Value& item) {
    m.Rename(item, "Claim.item", "informationLinkId", "informationSequence");
    m.Rename(item, "Claim.item", "diagnosisLinkId", "diagnosisSequence");
    m.Rename(item, "Claim.item", "procedureLinkId", "procedureSequence");
    m.Rename(item, "Claim.item", "service", "productOrService");
    m.Add(item, "Claim.item", "productOrService", Unknown());
    m.Money(item.Find("net"), "Claim.item.net");
  });
  m.Money(r.Find("total"), "Claim.total");
  m.Add(r, "Claim", "type",
        Concept(kClaimType, r.Find("prescription") != nullptr ? "pharmacy" : "professional"));
  if (const Value* period = r.Find("billablePeriod")) {
    if (const Value* end = period->Find("end")) m.Add(r, "Claim", "created", *end);
  }
  m.Add(r, "Claim", "priority", Concept(kProcessPriority, "normal"));
  Value insurance = Value::Object();
  insurance.Set("sequence", Value::Integer(1));
  insurance.Set("focal", Value::Bool(true));
  insurance.Set("coverage", Unknown());
  Value insurances = Value::Array();
  insurances.Push(std::move(insurance));
  m.Add(r, "Claim", "insurance", std::move(insurances));
}

// The contained Coverage's type.text: Synthea writes the payer's name there.
const std::string* PayerName(const Value& eob) {
  const Value* contained = eob.Find("contained");
  if (contained == nullptr || !contained->is_array()) return nullptr;
  for (const Value& resource : contained->items()) {
    const std::string* type = resource.FindString("resourceType");
    const Value* coverage_type = resource.Find("type");
    if (type != nullptr && *type == "Coverage" && coverage_type != nullptr) {
      return coverage_type->FindString("text");
    }
  }
  return nullptr;
}

void ConvertContainedCoverage(Value& coverage, const Value* patient, const Mapper& m) {
  m.Add(coverage, "ExplanationOfBenefit.contained.Coverage", "status", String("active"));
  if (patient != nullptr) {
    m.Add(coverage, "ExplanationOfBenefit.contained.Coverage", "beneficiary", *patient);
  }
  const Value* type = coverage.Find("type");
  const std::string* payer = type != nullptr ? type->FindString("text") : nullptr;
  Value payors = Value::Array();
  payors.Push(payer != nullptr ? DisplayReference(*payer) : Unknown());
  m.Add(coverage, "ExplanationOfBenefit.contained.Coverage", "payor", std::move(payors));
}

void ConvertContainedReferralRequest(Value& referral, const Mapper& m) {
  referral.Set("resourceType", String("ServiceRequest"));
  m.Note("ExplanationOfBenefit.contained ReferralRequest -> ServiceRequest");
  if (Value* requester = referral.Find("requester")) {
    if (const Value* agent = requester->Find("agent")) {
      Value reference = *agent;
      *requester = std::move(reference);
      m.Note("ExplanationOfBenefit.contained.ReferralRequest.requester.agent -> requester");
    }
  }
  m.Rename(referral, "ExplanationOfBenefit.contained.ReferralRequest", "recipient", "performer");
}

void ConvertExplanationOfBenefit(Value& r, const Mapper& m) {
  const std::string* payer = PayerName(r);
  const Value insurer = payer != nullptr ? DisplayReference(*payer) : Unknown();
  const Value* patient = r.Find("patient");
  const Value patient_reference = patient != nullptr ? *patient : Value();
  EachObject(r, "contained", [&](Value& contained) {
    const std::string type = contained.FindString("resourceType") != nullptr
                                 ? *contained.FindString("resourceType")
                                 : std::string();
    if (type == "Coverage") {
      ConvertContainedCoverage(contained, patient != nullptr ? &patient_reference : nullptr, m);
    } else if (type == "ReferralRequest") {
      ConvertContainedReferralRequest(contained, m);
    }
  });
  EachObject(r, "extension",
             [&](Value& e) { m.Money(e.Find("valueMoney"), "ExplanationOfBenefit.extension"); });
  if (Value* organization = r.Find("organization")) {
    Value extension = Extension(std::string(kStu3Extension) + "ExplanationOfBenefit.organization",
                                "valueReference", *organization);
    r.Remove("organization");
    AddExtension(r, std::move(extension));
    m.Note("ExplanationOfBenefit.organization -> extension");
  }
  if (Value* insurance = r.Find("insurance"); insurance != nullptr && insurance->is_object()) {
    Value entry = Value::Object();
    entry.Set("focal", Value::Bool(true));
    for (const fhir::json::Member& member : insurance->members()) {
      entry.Set(member.name, member.value);
    }
    Value insurances = Value::Array();
    insurances.Push(std::move(entry));
    *insurance = std::move(insurances);
    m.Note("ExplanationOfBenefit.insurance -> insurance[] with focal true");
  }
  if (const Value* total_cost = r.Find("totalCost")) {
    Value total = Value::Object();
    total.Set("category", Concept(kAdjudication, "submitted"));
    total.Set("amount", *total_cost);
    m.Money(total.Find("amount"), "ExplanationOfBenefit.totalCost");
    Value totals = Value::Array();
    totals.Push(std::move(total));
    r.Set("totalCost", std::move(totals));
    m.Rename(r, "ExplanationOfBenefit", "totalCost", "total");
  }
  EachObject(r, "item", [&](Value& item) {
    m.Rename(item, "ExplanationOfBenefit.item", "service", "productOrService");
    m.Add(item, "ExplanationOfBenefit.item", "productOrService", Unknown());
    m.Rename(item, "ExplanationOfBenefit.item", "diagnosisLinkId", "diagnosisSequence");
    m.Money(item.Find("net"), "ExplanationOfBenefit.item.net");
    EachObject(item, "adjudication", [&](Value& adjudication) {
      m.Money(adjudication.Find("amount"), "ExplanationOfBenefit.item.adjudication.amount");
    });
  });
  if (Value* payment = r.Find("payment")) {
    m.Money(payment->Find("amount"), "ExplanationOfBenefit.payment.amount");
  }
  m.Add(r, "ExplanationOfBenefit", "use", String("claim"));
  m.Add(r, "ExplanationOfBenefit", "outcome", String("complete"));
  if (const Value* period = r.Find("billablePeriod")) {
    if (const Value* start = period->Find("start")) {
      m.Add(r, "ExplanationOfBenefit", "created", *start);
    }
  }
  m.Add(r, "ExplanationOfBenefit", "insurer", insurer);
}

// The table, by resource type; nullptr: the STU3 resource is already valid R4.
struct TypeMapping {
  std::string_view type;
  void (*convert)(Value&, const Mapper&);
};
constexpr TypeMapping kTypeMappings[] = {
    {"Patient", nullptr},
    {"Organization", nullptr},
    {"Practitioner", nullptr},
    {"Encounter", ConvertEncounter},
    {"Condition", ConvertCondition},
    {"Immunization", ConvertImmunization},
    {"Observation", ConvertContext},
    {"Procedure", ConvertContext},
    {"MedicationRequest", ConvertMedicationRequest},
    {"Claim", ConvertClaim},
    {"ExplanationOfBenefit", ConvertExplanationOfBenefit},
};

const TypeMapping* FindTypeMapping(std::string_view type) {
  for (const TypeMapping& mapping : kTypeMappings) {
    if (mapping.type == type) return &mapping;
  }
  return nullptr;
}

using TypeByUuid = std::unordered_map<std::string, std::string>;

// Rewrites every Reference.reference urn:uuid:<id> under `value` (contained resources too) to
// Type/id, the type of the entry whose fullUrl it is.
Status RewriteReferences(Value& value, const TypeByUuid& types, const std::string& where,
                         const Mapper& m) {
  if (value.is_array()) {
    for (Value& item : value.items()) {
      SCHAKEL_RETURN_IF_ERROR(RewriteReferences(item, types, where, m));
    }
    return Status::Ok();
  }
  if (!value.is_object()) return Status::Ok();
  for (fhir::json::Member& member : value.members()) {
    if (member.name == "reference" && member.value.is_string() &&
        member.value.text().starts_with(kUrnUuid)) {
      const std::string& reference = member.value.text();
      auto it = types.find(reference);
      if (it == types.end()) {
        return Status::InvalidInput(where + ": " + reference + " is no entry of the Bundle");
      }
      member.value = String(it->second + "/" + reference.substr(kUrnUuid.size()));
      m.Note("Reference urn:uuid -> Type/id");
      continue;
    }
    SCHAKEL_RETURN_IF_ERROR(RewriteReferences(member.value, types, where, m));
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<Resource>> ConvertBundle(const Value& bundle, Tally* tally) {
  const Value* entries = bundle.Find("entry");
  if (!bundle.is_object() || entries == nullptr || !entries->is_array()) {
    return Status::InvalidInput("not a Bundle with entries");
  }
  // Pass 1: the entries and the type each urn:uuid fullUrl stands for.
  TypeByUuid types;
  std::vector<Resource> resources;
  resources.reserve(entries->items().size());
  for (std::size_t i = 0; i < entries->items().size(); ++i) {
    const Value& entry = entries->items()[i];
    const std::string where = "entry[" + std::to_string(i) + "]";
    const std::string* full_url = entry.FindString("fullUrl");
    const Value* resource = entry.Find("resource");
    const std::string* type = resource != nullptr ? resource->FindString("resourceType") : nullptr;
    const std::string* id = resource != nullptr ? resource->FindString("id") : nullptr;
    if (full_url == nullptr || type == nullptr || id == nullptr) {
      return Status::InvalidInput(where + ": no fullUrl, resource, resourceType or id");
    }
    if (*full_url != std::string(kUrnUuid) + *id) {
      return Status::InvalidInput(where + ": fullUrl " + *full_url + " is not urn:uuid:" + *id);
    }
    if (FindTypeMapping(*type) == nullptr) {
      return Status::InvalidInput(where + ": no mapping to R4 for a " + *type);
    }
    types.emplace(*full_url, *type);
    resources.push_back({*type, *id, *resource});
  }
  // Pass 2: references, then the type's mappings.
  const Mapper mapper(tally);
  for (std::size_t i = 0; i < resources.size(); ++i) {
    Resource& r = resources[i];
    SCHAKEL_RETURN_IF_ERROR(RewriteReferences(
        r.value, types, "entry[" + std::to_string(i) + "] " + r.type + "/" + r.id, mapper));
    if (const TypeMapping* mapping = FindTypeMapping(r.type); mapping->convert != nullptr) {
      mapping->convert(r.value, mapper);
    }
  }
  return resources;
}

Value TransactionBundle(const std::vector<Resource>& resources) {
  Value entries = Value::Array();
  for (const Resource& r : resources) {
    Value request = Value::Object();
    request.Set("method", String("PUT"));
    request.Set("url", String(r.type + "/" + r.id));
    Value entry = Value::Object();
    entry.Set("fullUrl", String(std::string(kUrnUuid) + r.id));
    entry.Set("resource", r.value);
    entry.Set("request", std::move(request));
    entries.Push(std::move(entry));
  }
  Value bundle = Value::Object();
  bundle.Set("resourceType", String("Bundle"));
  bundle.Set("type", String("transaction"));
  bundle.Set("entry", std::move(entries));
  return bundle;
}

Result<std::vector<std::filesystem::path>> BundleFiles(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return Status::InvalidInput(dir.string() + " is not a directory");
  }
  std::vector<std::filesystem::path> files;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".json") files.push_back(it->path());
  }
  if (ec) return Status::InvalidInput(dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

Result<Value> ReadJsonFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::InvalidInput("cannot read " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  Result<Value> parsed = fhir::json::Parse(text.str());
  if (!parsed.ok()) {
    return Status::InvalidInput(file.string() + ": " + std::string(parsed.status().message()));
  }
  return parsed;
}

}  // namespace schakel::bench::synthea
