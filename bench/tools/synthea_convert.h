// synthea_convert: the Synthea bundles in ../shared/fhir/synthea/ as valid R4.
//
// ../shared/README.md calls them R4, but Synthea v2.4 wrote them in the STU3 shape
// (https://hl7.org/fhir/STU3/): Immunization.notGiven, Condition.clinicalStatus as a code,
// Claim.organization, Money as a Quantity, ... Our server validates against R4 and rightly rejects
// them, so the benchmarks convert them first. The conversion covers what these 80 Bundles (5,535
// entries, 11 resource types) contain and no more: `synthea_r4 check` validates every converted
// resource with fhir/validation, and a mapping that none of them needs has no place here. A
// resource type outside the table is an error, not a silent pass-through.
//
// The table (STU3 element -> R4 element; https://hl7.org/fhir/R4/diff.html lists the changes).
// Elements R4 requires that STU3 did not (Claim.type, ExplanationOfBenefit.outcome, ...) are
// filled from the same resource where it says them (Claim.created from its billablePeriod), with
// the plain constant where one fits (priority normal, outcome complete), or else with the
// data-absent-reason extension 'unknown'
// (https://hl7.org/fhir/R4/extension-data-absent-reason.html), R4's way to say that a required
// value is not known. Two STU3 elements these Bundles fill have no R4 successor
// (ExplanationOfBenefit.organization, MedicationRequest.requester.onBehalfOf): they are kept in the
// cross-version extensions R4 defines for them
// (http://hl7.org/fhir/3.0/StructureDefinition/extension-<path>,
// https://hl7.org/fhir/R4/versions.html#extensions), so nothing is lost.
//
//   every resource    Reference.reference urn:uuid:<id> -> Type/id (the entry whose fullUrl it is)
//   Patient, Organization, Practitioner                   unchanged
//   Condition         clinicalStatus 'x' (code) -> CodeableConcept
//                       {http://terminology.hl7.org/CodeSystem/condition-clinical, x}
//                     verificationStatus 'x' (code) -> CodeableConcept
//                       {http://terminology.hl7.org/CodeSystem/condition-ver-status, x}
//                     assertedDate -> recordedDate;  context -> encounter
//   Immunization      notGiven false -> (removed; status stays 'completed')
//                     notGiven true -> status 'not-done'
//                     date -> occurrenceDateTime (R4 requires occurrence[x])
//   Encounter         reason -> reasonCode;  diagnosis.role -> diagnosis.use
//   Observation, Procedure                                context -> encounter
//   MedicationRequest context -> encounter
//                     requester {agent, onBehalfOf} -> requester = agent, with onBehalfOf in
//                       the extension .../extension-MedicationRequest.requester.onBehalfOf
//   Claim             use 'complete' -> 'claim' (R4 claim-use, a required binding)
//                     organization -> provider;  information -> supportingInfo
//                     item.informationLinkId -> item.informationSequence
//                     item.diagnosisLinkId -> item.diagnosisSequence
//                     item.procedureLinkId -> item.procedureSequence
//                     item.service -> item.productOrService (absent: unknown)
//                     total, item.net: Money
//                     + type {http://terminology.hl7.org/CodeSystem/claim-type, 'pharmacy' when
//                       the Claim has a prescription, else 'professional' (what its EOB says)}
//                     + created = billablePeriod.end (the claim is made when the encounter ends)
//                     + priority {http://terminology.hl7.org/CodeSystem/processpriority, normal}
//                     + insurance [{sequence 1, focal true, coverage unknown}]
//   ExplanationOfBenefit
//                     organization -> extension .../extension-ExplanationOfBenefit.organization
//                     insurance {coverage} -> insurance [{focal true, coverage}]
//                     totalCost -> total [{category {http://terminology.hl7.org/CodeSystem/
//                       adjudication, submitted}, amount}]
//                     item.service -> item.productOrService (absent: unknown)
//                     item.diagnosisLinkId -> item.diagnosisSequence
//                     extension.valueMoney, item.net, item.adjudication.amount, payment.amount:
//                       Money
//                     + use 'claim';  + outcome 'complete'
//                     + created = billablePeriod.start (when absent; the EOB's period starts when
//                       the claim is made)
//                     + insurer {display: the contained Coverage's type.text, the payer's name}
//                     contained Coverage: + status 'active', + beneficiary = the EOB's patient,
//                       + payor [{display: type.text}]
//                     contained ReferralRequest -> ServiceRequest (R4 renamed it):
//                       requester.agent -> requester;  recipient -> performer
//   Money             {value, system urn:iso:std:iso:4217, code} (STU3: a Quantity)
//                       -> {value, currency = code}
//
// Code system URIs in codings under non-required bindings are kept as Synthea wrote them (e.g.
// http://hl7.org/fhir/observation-category rather than R4's terminology.hl7.org one): R4 accepts
// them, and the table stays the minimum that makes the data valid.
//
// Thread-compatible: no shared state.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "fhir/json/value.h"
#include "fhir/status.h"

namespace schakel::bench::synthea {

// How often each mapping of the table applied, by a name such as
// "Condition.assertedDate -> recordedDate" (for `synthea_r4 check` to show).
using Tally = std::map<std::string, long>;

// One converted resource: its resourceType and id, and the R4 resource.
struct Resource {
  std::string type;
  std::string id;
  fhir::json::Value value;
};

// Converts every entry of one transaction Bundle as Synthea v2.4 wrote it, in entry order.
// Fails (kInvalidInput, naming the entry) on what the table does not cover: an entry whose fullUrl
// is not urn:uuid:<its resource's id>, a resource type the table does not know, a urn:uuid
// reference to no entry of the Bundle. Counts each mapping applied in `tally` when given.
fhir::Result<std::vector<Resource>> ConvertBundle(const fhir::json::Value& bundle,
                                                  Tally* tally = nullptr);

// An R4 transaction Bundle of `resources`, each entry with fullUrl urn:uuid:<id> (as Synthea's)
// and request PUT Type/id.
fhir::json::Value TransactionBundle(const std::vector<Resource>& resources);

// The *.json files under `dir`, recursively, sorted by path.
fhir::Result<std::vector<std::filesystem::path>> BundleFiles(const std::filesystem::path& dir);

// Reads and parses one file.
fhir::Result<fhir::json::Value> ReadJsonFile(const std::filesystem::path& file);

}  // namespace schakel::bench::synthea
