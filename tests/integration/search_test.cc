// Search parameters, one table per parameter type and modifier, against the fixed data set of
// search_data.cc (official R4 examples plus hand-written edge cases) over real HTTP.
//
// Every row names the exact ids it must find (as a set; paging is followed, and a match on two
// pages fails). Expectations are derived from the resources, not from what the server answers.
// Rows the server does not answer as the spec says are in KnownGaps, reported but not asserted.
//
// Spec: https://hl7.org/fhir/R4/search.html (#number, #date, #string, #token, #reference,
// #quantity, #uri, #composite, #modifiers, #prefix, #chaining, #has, #all)
#include <string>
#include <vector>

#include "integration/search_test_support.h"

namespace schakel::integration {
namespace {

using SearchTest = SearchDataTest;

// Every Observation and Patient of the data set (Patient/gone is deleted).
constexpr const char* kAllObservations =
    "example f001 f002 blood-pressure bloodgroup f206 eye-color vitals-panel bmi satO2 decimal "
    "d-year d-month d-day d-sec d-next d-period d-open tz-plus1 tz-z tz-minus nosys sys-abc "
    "obs-gone";
constexpr const char* kAllPatients =
    "example f001 f201 pat1 pat2 xcda glossy animal mueller muller nogender tagged";

TEST_F(SearchTest, DataSetIsComplete) {
  EXPECT_TRUE(
      SameIds(SearchAll(client(), Target("Observation")).matches, kAllObservations, "Observation"));
  EXPECT_TRUE(SameIds(SearchAll(client(), Target("Patient")).matches, kAllPatients, "Patient"));
}

// https://hl7.org/fhir/R4/search.html#number: the precision of the value gives its range
// (100 is [99.5, 100.5)). RiskAssessment.prediction.probability: a 0.5, b 10, c 99.5, d 100,
// e 100.4, range 20..30 (indexed as its two ends), none: no prediction.
TEST_F(SearchTest, Number) {
  ExpectRows({
      {"RiskAssessment?probability=100", "risk-c risk-d risk-e"},
      {"RiskAssessment?probability=100.0", "risk-d"},
      {"RiskAssessment?probability=1e2", "risk-c risk-d risk-e"},
      {"RiskAssessment?probability=10", "risk-b"},
      {"RiskAssessment?probability=0.5", "risk-a"},
      {"RiskAssessment?probability=20", "risk-range"},
      {"RiskAssessment?probability=eq100.4", "risk-e"},
      {"RiskAssessment?probability=gt100", "risk-e"},
      {"RiskAssessment?probability=ge100", "risk-d risk-e"},
      {"RiskAssessment?probability=lt10", "risk-a"},
      {"RiskAssessment?probability=le10", "risk-a risk-b"},
      {"RiskAssessment?probability=ne100", "risk-a risk-b risk-range"},
      {"RiskAssessment?probability=sa99.5", "risk-d risk-e"},
      {"RiskAssessment?probability=eb10", "risk-a"},
      {"RiskAssessment?probability=ap100", "risk-c risk-d risk-e"},
      {"RiskAssessment?probability=gt25", "risk-c risk-d risk-e risk-range"},
      {"RiskAssessment?probability=lt25", "risk-a risk-b risk-range"},
      {"RiskAssessment?probability=100,10", "risk-b risk-c risk-d risk-e"},
      {"RiskAssessment?probability=gt5&probability=lt50", "risk-b risk-range"},
      {"RiskAssessment?probability=gt1000", ""},
  });
}

// https://hl7.org/fhir/R4/search.html#date with the prefixes of #prefix: a value and a search are
// both ranges; eq: the search range contains the value's; gt/lt: the range above/below the search
// value overlaps it; ge/le: gt/lt or eq; sa/eb: entirely after/before; ne: not eq.
// d-year 2012, d-month 2012-12, d-day 2012-12-31, d-sec 2012-12-31T23:59:59Z, d-next
// 2013-01-01T00:00:00Z, d-period 2012-06-01..2012-08-31, d-open 2012-11-15.. (no end).
TEST_F(SearchTest, DatePrecisionAndPrefixes) {
  ExpectRows({
      {"Observation?code=http://example.org/codes|date&date=2012",
       "d-year d-month d-day d-sec d-period"},
      {"Observation?code=http://example.org/codes|date&date=2012-12", "d-month d-day d-sec"},
      {"Observation?code=http://example.org/codes|date&date=2012-12-31", "d-day d-sec"},
      {"Observation?code=http://example.org/codes|date&date=eq2012-12-31", "d-day d-sec"},
      {"Observation?code=http://example.org/codes|date&date=2012-12-31T23:59:59Z", "d-sec"},
      {"Observation?code=http://example.org/codes|date&date=2013-01-01T00:00:00Z", "d-next"},
      {"Observation?code=http://example.org/codes|date&date=2013", "d-next"},
      {"Observation?code=http://example.org/codes|date&date=2011", ""},
      {"Observation?code=http://example.org/codes|date&date=ne2012", "d-next d-open"},
      {"Observation?code=http://example.org/codes|date&date=ne2012-12-31",
       "d-year d-month d-next d-period d-open"},
      {"Observation?code=http://example.org/codes|date&date=gt2012-12-31", "d-next d-open"},
      {"Observation?code=http://example.org/codes|date&date=lt2012-12-31",
       "d-year d-month d-period d-open"},
      {"Observation?code=http://example.org/codes|date&date=ge2012-12-31",
       "d-day d-sec d-next d-open"},
      {"Observation?code=http://example.org/codes|date&date=le2012-12-31",
       "d-year d-month d-day d-sec d-period d-open"},
      {"Observation?code=http://example.org/codes|date&date=sa2012-12-31", "d-next"},
      {"Observation?code=http://example.org/codes|date&date=eb2012-12", "d-period"},
      {"Observation?code=http://example.org/codes|date&date=sa2012-06-15",
       "d-month d-day d-sec d-next d-open"},
      {"Observation?code=http://example.org/codes|date&date=eb2012-11-15", "d-period"},
      {"Observation?code=http://example.org/codes|date&date=gt2012-12-31T23:59:59Z",
       "d-next d-open"},
      {"Observation?code=http://example.org/codes|date&date=lt2012-12-31T23:59:59Z",
       "d-year d-month d-day d-period d-open"},
      // The spec's ap width is the server's choice; a day away is within it everywhere.
      {"Observation?code=http://example.org/codes|date&date=ap2012-12-31",
       "d-year d-month d-day d-sec d-next d-period d-open"},
      // Period overlap: what overlaps July 2012.
      {"Observation?code=http://example.org/codes|date&date=ge2012-07-01&date=le2012-07-31",
       "d-year d-period"},
      // A Period is not within a month it only overlaps.
      {"Observation?code=http://example.org/codes|date&date=2012-07", ""},
      {"Observation?code=http://example.org/codes|date&date=2012-06-01", ""},
      {"Observation?code=http://example.org/codes|date&date=ge2012-12-31&date=lt2013",
       "d-day d-sec d-open"},
      {"Observation?code=http://example.org/codes|date&date=2012-06-01,2012-12-31", "d-day d-sec"},
      // Over the whole data set: only bmi and vitals-panel (1999-07-02) are near 2000.
      {"Observation?date=ap2000-01-01", "bmi vitals-panel"},
      // An open-ended period (f001: from 2013-04-02T09:30:10+01:00) is not within a year.
      {"Observation?date=2013", "f002 d-next tz-plus1 tz-z tz-minus"},
      {"Observation?date=2013-04-03", ""},
      {"Observation?date=ge2013-04-03&date=le2013-04-03", "f001 f002 d-open"},
  });
}

// Dates with timezones are compared as instants (and a value without one as UTC).
// tz-plus1 2013-01-14T10:00:00+01:00 (09:00Z), tz-z 2013-01-14T10:00:00Z, tz-minus
// 2013-01-13T23:30:00-05:00 (2013-01-14T04:30Z).
TEST_F(SearchTest, DateTimezones) {
  ExpectRows({
      {"Observation?code=http://example.org/codes|tz&date=2013-01-14T10:00:00+01:00", "tz-plus1"},
      {"Observation?code=http://example.org/codes|tz&date=2013-01-14T09:00:00Z", "tz-plus1"},
      {"Observation?code=http://example.org/codes|tz&date=2013-01-14T10:00:00Z", "tz-z"},
      {"Observation?code=http://example.org/codes|tz&date=2013-01-14T11:00:00+01:00", "tz-z"},
      {"Observation?code=http://example.org/codes|tz&date=2013-01-14T04:30:00Z", "tz-minus"},
      {"Observation?code=http://example.org/codes|tz&date=2013-01-13T23:30:00-05:00", "tz-minus"},
      {"Observation?code=http://example.org/codes|tz&date=2013-01-14", "tz-plus1 tz-z tz-minus"},
      {"Observation?code=http://example.org/codes|tz&date=2013-01-13", ""},
      {"Observation?code=http://example.org/codes|tz&date=gt2013-01-14T09:00:00Z", "tz-z"},
      {"Observation?code=http://example.org/codes|tz&date=le2013-01-14T09:00:00Z",
       "tz-minus tz-plus1"},
      {"Observation?code=http://example.org/codes|tz&date=lt2013-01-14T05:00:00-05:00",
       "tz-minus tz-plus1"},
      {"Observation?code=http://example.org/codes|tz&date=ge2013-01-14T10:00:00+01:00",
       "tz-plus1 tz-z"},
      {"Observation?code=http://example.org/codes|tz&date=2013-01-14T10:00+01:00", "tz-plus1"},
      // Without a zone, UTC (the server's documented choice).
      {"Observation?code=http://example.org/codes|tz&date=2013-01-14T10:00", "tz-z"},
      {"Observation?code=http://example.org/codes|tz&date=2013-01-14T10:00:00", "tz-z"},
      // A millisecond does not contain a value that lasts a second.
      {"Observation?code=http://example.org/codes|tz&date=2013-01-14T10:00:00.000Z", ""},
      {"Observation?code=http://example.org/codes|tz&date=ge2013-01-14T10:00:00.000Z", "tz-z"},
      {"Observation?code=http://example.org/codes|date&date=2013-01-01T01:00:00+01:00", "d-next"},
      {"Observation?code=http://example.org/codes|date&date=2012-12-31T19:59:59-04:00", "d-sec"},
  });
}

// Dates of type date: Patient.birthDate. example 1974-12-25, f001 1944-11-17, f201 1960-03-13,
// xcda and glossy 1932-09-24, animal 2010-03-23, mueller 1980-02-29, muller 1980-03.
TEST_F(SearchTest, DateOfBirth) {
  ExpectRows({
      {"Patient?birthdate=1980", "mueller muller"},
      {"Patient?birthdate=1980-03", "muller"},
      {"Patient?birthdate=1980-02-29", "mueller"},
      {"Patient?birthdate=1932-09-24", "xcda glossy"},
      {"Patient?birthdate=lt1950", "f001 xcda glossy"},
      {"Patient?birthdate=ge1980-03-01", "muller animal"},
      {"Patient?birthdate=gt1980-03-15", "muller animal"},
      {"Patient?birthdate=sa1980-03-15", "animal"},
      {"Patient?birthdate=1980-03-15", ""},
      {"Patient?birthdate=ne1980", "example f001 f201 xcda glossy animal"},
      // A day is not within a second of it.
      {"Patient?birthdate=1980-02-29T12:00:00Z", ""},
      {"Patient?birthdate=ge1980-02-29T12:00:00Z&birthdate=le1980-02-29T12:00:00Z", "mueller"},
  });
}

// https://hl7.org/fhir/R4/search.html#string: case- and accent-insensitive, equal to or starting
// with the value; :exact compares exactly, :contains anywhere. HumanName and Address match on
// each of their parts.
TEST_F(SearchTest, String) {
  ExpectRows({
      {"Patient?name=muller", "mueller muller"},
      {"Patient?name=Müller", "mueller muller"},
      {"Patient?name=MÜLLER", "mueller muller"},
      {"Patient?name=mül", "mueller muller"},
      {"Patient?name=jürgen", "mueller"},
      {"Patient?name=jurgen", "mueller"},
      {"Patient?name:exact=Müller", "mueller"},
      {"Patient?name:exact=Muller", "muller"},
      {"Patient?name:exact=müller", ""},
      {"Patient?name:exact=Mül", ""},
      {"Patient?name:contains=ülle", "mueller muller"},
      {"Patient?name:contains=ULLE", "mueller muller"},
      {"Patient?name:contains=alme", "example"},
      {"Patient?name:contains=heuvel", "f001"},
      {"Patient?name=heuvel", ""},
      // LIKE wildcards in :contains are literal.
      {"Patient?name:contains=%25", ""},
      {"Patient?name:contains=_", ""},
      {"Patient?name:contains=e_e", ""},
      {"Patient?name=peter", "example"},
      {"Patient?name=jim", "example"},
      {"Patient?name=windsor", "example"},
      {"Patient?name=the", "glossy"},
      {"Patient?name=roel", "f201"},
      {"Patient?name=drs", "f201"},
      {"Patient?name=levin", "xcda glossy"},
      {"Patient?family=van de", "f001"},
      {"Patient?family=van  de", "f001"},
      {"Patient?family=donald", "pat1 pat2"},
      {"Patient?given=d", "pat1 pat2"},
      {"Patient?given=pet", "example"},
      {"Patient?address-city=amster", "f001 f201"},
      {"Patient?address=pleasantville", "example"},
      {"Patient?address=3999", "example"},
      {"Patient?address=nld", "f001 f201"},
      {"Patient?address-postalcode=1024", "f001"},
      {"Organization?name=burgers", "f001"},
      {"Organization?name=abc", "2"},
      {"Organization?name:contains=insurance", "2"},
      {"Organization?name:contains=health", "hl7 2.16.840.1.113883.19.5"},
      {"Practitioner?family=van den", "f001"},
      {"Practitioner?name=careful", "example"},
      {"Observation?value-string=blue", "eye-color"},
      {"Observation?value-string=a", "bloodgroup"},
  });
}

// https://hl7.org/fhir/R4/search.html#token: system|code, |code (no system), system| (any code),
// code (any system); :not, :text, :of-type; identifiers, codes, booleans, ContactPoints.
TEST_F(SearchTest, Token) {
  ExpectRows({
      {"Observation?code=http://loinc.org|15074-8", "f001"},
      {"Observation?code=15074-8", "f001"},
      {"Observation?code=http://snomed.info/sct|15074-8", ""},
      {"Observation?code=http://loinc.org|",
       "example f001 f002 blood-pressure bloodgroup f206 vitals-panel bmi satO2"},
      {"Observation?code=http://example.org/codes|",
       "d-year d-month d-day d-sec d-next d-period d-open tz-plus1 tz-z tz-minus sys-abc "
       "obs-gone"},
      {"Observation?code=abc", "nosys sys-abc"},
      {"Observation?code=|abc", "nosys"},
      {"Observation?code=http://example.org/codes|abc", "sys-abc"},
      {"Observation?code=29463-7,15074-8", "example f001"},
      {"Observation?code=http://loinc.org|29463-7,http://snomed.info/sct|27113001", "example"},
      // A second coding of the same CodeableConcept matches too.
      {"Observation?code=http://snomed.info/sct|27113001", "example"},
      {"Observation?code:text=blood", "blood-pressure bloodgroup f206"},
      {"Observation?code:text=body", "example bmi"},
      {"Observation?code:text=alpha", "sys-abc"},
      {"Observation?code:not=http://loinc.org|15074-8",
       "example f002 blood-pressure bloodgroup f206 eye-color vitals-panel bmi satO2 decimal "
       "d-year d-month d-day d-sec d-next d-period d-open tz-plus1 tz-z tz-minus nosys sys-abc "
       "obs-gone"},
      {"Observation?status=preliminary", "nosys"},
      {"Observation?status:not=final", "nosys"},
      {"Observation?category=vital-signs", "example blood-pressure vitals-panel bmi satO2"},
      {"Observation?category=http://terminology.hl7.org/CodeSystem/observation-category|"
       "laboratory",
       "bloodgroup"},
      {"Observation?identifier=http://www.bmc.nl/zorgportal/identifiers/observations|6323", "f001"},
      {"Observation?value-concept=http://snomed.info/sct|112144000", "bloodgroup"},
      {"Observation?combo-code=8480-6", "blood-pressure"},
      {"Observation?component-code=http://loinc.org|8462-4", "blood-pressure"},
      {"Patient?gender=male", "example f001 f201 pat1 xcda glossy mueller"},
      {"Patient?gender=female", "animal muller"},
      {"Patient?gender=female,other", "animal muller pat2"},
      {"Patient?gender=unknown", "tagged"},
      {"Patient?gender:not=male", "pat2 animal muller nogender tagged"},
      // A `code` has the implicit system of its binding (#token): system|code finds it, and
      // |code ("no system") does not.
      {"Patient?gender=http://hl7.org/fhir/administrative-gender|male",
       "example f001 f201 pat1 xcda glossy mueller"},
      {"Patient?gender=http://hl7.org/fhir/administrative-gender|",
       "example f001 f201 pat1 pat2 xcda glossy animal mueller muller tagged"},
      {"Patient?gender=|male", ""},
      {"Patient?gender=http://example.org/other|male", ""},
      {"Patient?gender:not=http://hl7.org/fhir/administrative-gender|male",
       "pat2 animal muller nogender tagged"},
      {"Observation?status=http://hl7.org/fhir/observation-status|preliminary", "nosys"},
      {"Observation?subject:Patient.gender=http://hl7.org/fhir/administrative-gender|female",
       "tz-z"},
      {"Patient?active=true", "example f001 f201 pat1 pat2 xcda glossy animal muller tagged"},
      {"Patient?active=false", "mueller"},
      {"Patient?active:not=true", "mueller nogender"},
      {"Patient?identifier=12345", "example xcda"},
      {"Patient?identifier=urn:oid:1.2.36.146.595.217.0.1|12345", "example"},
      {"Patient?identifier=urn:oid:2.16.840.1.113883.2.4.6.3|", "f001 f201"},
      {"Patient?identifier=http://example.org/mrn|M-1", "mueller"},
      {"Patient?identifier=http://example.org/mrn|", "mueller muller"},
      {"Patient?identifier=http://example.org/mrn|m-1", ""},
      {"Patient?identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|12345",
       "example xcda"},
      {"Patient?identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|M-1",
       "mueller"},
      {"Patient?identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|M-2", ""},
      {"Patient?identifier:text=bsn", "f201"},
      {"Patient?identifier:text=dog", "animal"},
      {"Patient?phone=0648352638", "f001"},
      {"Patient?phone=+31612345678", "f201"},
      {"Patient?email=j.mueller@example.org", "mueller"},
      {"Patient?telecom=0648352638", "f001"},
      {"Patient?language=nl", "f001"},
  });
}

// https://hl7.org/fhir/R4/search.html#reference, #chaining and #has.
TEST_F(SearchTest, Reference) {
  ExpectRows({
      {"Observation?subject=Patient/example",
       "example blood-pressure eye-color vitals-panel bmi satO2"},
      {"Observation?subject=example", "example blood-pressure eye-color vitals-panel bmi satO2"},
      {"Observation?subject={base}/Patient/example",
       "example blood-pressure eye-color vitals-panel bmi satO2"},
      {"Observation?subject:Patient=example",
       "example blood-pressure eye-color vitals-panel bmi satO2"},
      {"Observation?subject:Group=example", ""},
      // The type of the modifier and of the value disagree: nothing can match.
      {"Observation?subject:Group=Patient/example", ""},
      {"Observation?patient=f001", "f001 f002"},
      {"Observation?patient=Patient/f201", "f206"},
      // A reference is indexed whether its target exists (Patient/infant does not) or not.
      {"Observation?subject=Patient/infant", "bloodgroup"},
      {"Observation?subject=Patient/gone", "obs-gone"},
      {"Observation?performer=Practitioner/f005", "f001 f002"},
      {"Observation?performer=Practitioner/example,Practitioner/f202", "blood-pressure f206"},
      {"Observation?encounter=Encounter/example", "example"},
      {"Observation?has-member=Observation/blood-pressure", "vitals-panel"},
      {"Observation?subject:identifier=http://example.org/mrn|M-1", "sys-abc"},
      {"Observation?subject:identifier=M-1", "sys-abc"},
      {"Observation?based-on:identifier=https://acme.org/identifiers|1234", "blood-pressure"},
      {"Patient?organization=Organization/1", "example pat1 pat2"},
      {"Patient?organization=1", "example pat1 pat2"},
      {"Patient?organization=Organization/1,Organization/2", "example pat1 pat2 glossy"},
      {"Patient?general-practitioner=Practitioner/example", "glossy"},
      {"Patient?general-practitioner:Practitioner.name=careful", "glossy"},
      {"Patient?general-practitioner:Organization.name=careful", ""},
      {"Observation?subject=Patient/example,Patient/f001",
       "example blood-pressure eye-color vitals-panel bmi satO2 f001 f002"},
      {"Observation?subject:Patient._id=f001", "f001 f002"},
      {"Observation?subject:Patient.gender:missing=true",
       "d-year d-month d-day d-sec d-next d-period d-open"},
      {"Patient?link=Patient/pat2", "pat1"},
      {"Encounter?service-provider=Organization/f001", "f001"},
      {"MedicationStatement?subject=Patient/pat1", "example001 example002 example003"},
      // Chains.
      {"Observation?subject:Patient.name=peter",
       "example blood-pressure eye-color vitals-panel bmi satO2"},
      {"Observation?subject.name=pieter", "f001 f002"},
      {"Observation?subject:Patient.name=verdwenen", ""},
      {"Observation?subject:Patient.gender=female", "tz-z"},
      {"Observation?subject:Patient.identifier=http://example.org/mrn|M-1", "tz-plus1 tz-minus"},
      {"Observation?subject:Patient.name=nobody-has-this-name", ""},
      {"Encounter?subject:Patient.name=chalmers", "example"},
      // Two levels.
      {"Observation?subject:Patient.organization.name=burgers", "f001 f002 tz-z"},
      {"Observation?subject:Patient.organization=Organization/1",
       "example blood-pressure eye-color vitals-panel bmi satO2"},
      {"Observation?subject:Patient.organization:Organization.identifier=urn:oid:2.16.528.1|91654",
       "f001 f002 tz-z"},
      {"Encounter?subject:Patient.organization.name=gastro", "example"},
      // Reverse chains.
      {"Patient?_has:Observation:patient:code=http://loinc.org|15074-8", "f001"},
      {"Patient?_has:Observation:subject:code=29463-7", "example"},
      {"Patient?_has:Observation:patient:code=http://example.org/codes|tz", "mueller muller"},
      {"Patient?_has:Observation:patient:_id=obs-gone", ""},
      {"Patient?_has:Observation:patient:status=preliminary", ""},
      {"Patient?_has:Encounter:subject:status=finished", "f001 f201"},
      {"Patient?_has:Observation:patient:code=http://loinc.org|15074-8&gender=female", ""},
      {"Organization?_has:Patient:organization:_has:Observation:patient:code=15074-8", "f001"},
  });
}

// https://hl7.org/fhir/R4/search.html#quantity: number, number||code, number|system|code, with
// prefixes; UCUM values compare in canonical units (185 [lb_av] is 83.9 kg; 5.4 mg/dL is
// 0.054 g/L; 140 min is 2.33 h).
TEST_F(SearchTest, Quantity) {
  ExpectRows({
      {"Observation?value-quantity=6.3", "f001"},
      {"Observation?value-quantity=6.30", "f001"},
      {"Observation?value-quantity=6", "f001"},
      {"Observation?value-quantity=6.3||mmol/L", "f001"},
      {"Observation?value-quantity=6.3|http://unitsofmeasure.org|mmol/L", "f001"},
      {"Observation?value-quantity=6.3||mg", ""},
      {"Observation?value-quantity=gt10|http://unitsofmeasure.org|mmol/L", "f002"},
      {"Observation?value-quantity=lt10||mmol/L", "f001"},
      {"Observation?value-quantity=ne6.3||mmol/L", "f002"},
      {"Observation?value-quantity=95", "satO2"},
      {"Observation?value-quantity=ap100", "satO2"},
      {"Observation?value-quantity=gt100", "example"},
      {"Observation?value-quantity=lt1", "tz-z"},
      {"Observation?value-quantity=ge16.2|http://unitsofmeasure.org|kg/m2", "bmi"},
      {"Observation?value-quantity=185|http://unitsofmeasure.org|[lb_av]", "example"},
      {"Observation?value-quantity=84|http://unitsofmeasure.org|kg", "example"},
      {"Observation?value-quantity=gt80000|http://unitsofmeasure.org|g", "example"},
      {"Observation?value-quantity=5.4|http://unitsofmeasure.org|mg/dL", "tz-plus1 tz-z"},
      {"Observation?value-quantity=0.054|http://unitsofmeasure.org|g/L", "tz-plus1 tz-z"},
      {"Observation?value-quantity=54|http://unitsofmeasure.org|mg/L", "tz-plus1 tz-z"},
      {"Observation?value-quantity=5.4||mg/dL", "tz-plus1"},
      {"Encounter?length=140", "f001"},
      {"Encounter?length=2.3|http://unitsofmeasure.org|h", "f001"},
      {"Encounter?length=gt2|http://unitsofmeasure.org|h", "f001"},
      {"Encounter?length=lt2|http://unitsofmeasure.org|h", ""},
      {"Observation?component-value-quantity=107", "blood-pressure"},
      {"Observation?component-value-quantity=60|http://unitsofmeasure.org|mm[Hg]",
       "blood-pressure"},
      // Observation/decimal has components of 1 g, 1e-22 g, 1e18 g, 1e-245 g and -1e245 g.
      {"Observation?component-value-quantity=lt50", "decimal"},
      {"Observation?component-value-quantity=gt1e300", ""},
  });
}

// https://hl7.org/fhir/R4/search.html#uri: equality; :below (the value and what is under it as a
// path), :above (the value and the paths it lies under). ValueSet urls: vs-root
// http://example.org/fhir, vs-a .../ValueSet/a, vs-ab .../ValueSet/a/b, vs-x .../ValueSetX/c.
TEST_F(SearchTest, Uri) {
  ExpectRows({
      {"ValueSet?url=http://example.org/fhir/ValueSet/a", "vs-a"},
      {"ValueSet?url=http://example.org/fhir/ValueSet", ""},
      {"ValueSet?url:below=http://example.org/fhir/ValueSet", "vs-a vs-ab"},
      {"ValueSet?url:below=http://example.org/fhir/ValueSet/a", "vs-a vs-ab"},
      {"ValueSet?url:below=http://example.org/fhir/ValueSet/", "vs-a vs-ab"},
      {"ValueSet?url:below=http://example.org/fhir/Value", ""},
      {"ValueSet?url:below=http://example.org/fhir", "vs-root vs-a vs-ab vs-x"},
      {"ValueSet?url:above=http://example.org/fhir/ValueSet/a/b/c", "vs-root vs-a vs-ab"},
      {"ValueSet?url:above=http://example.org/fhir/ValueSetX/c", "vs-root vs-x"},
      {"ValueSet?url:above=http://example.org/fhir/ValueSet/a", "vs-root vs-a"},
      {"ValueSet?url:below=http://example.org/fhir/ValueSet&status=active", "vs-a vs-ab"},
      {"ValueSet?url:below=http://example.org/fhir&status=draft", "vs-x"},
  });
}

// https://hl7.org/fhir/R4/search.html#composite: the parts, joined with '$', must match the same
// item (component) of the resource.
TEST_F(SearchTest, Composite) {
  ExpectRows({
      {"Observation?code-value-quantity=http://loinc.org|15074-8$gt6|http://unitsofmeasure.org|"
       "mmol/L",
       "f001"},
      {"Observation?code-value-quantity=http://loinc.org|15074-8$lt6|http://unitsofmeasure.org|"
       "mmol/L",
       ""},
      {"Observation?code-value-quantity=http://loinc.org|15074-8$6.3|http://unitsofmeasure.org|"
       "mmol/L",
       "f001"},
      {"Observation?code-value-quantity=15074-8$6.3|http://unitsofmeasure.org|mmol/L", "f001"},
      {"Observation?code-value-quantity=http://loinc.org|29463-7$84|http://unitsofmeasure.org|kg",
       "example"},
      {"Observation?code-value-quantity=http://loinc.org|29463-7$185|http://unitsofmeasure.org|"
       "[lb_av]",
       "example"},
      {"Observation?code-value-quantity=http://example.org/codes|tz$5.4|"
       "http://unitsofmeasure.org|mg/dL",
       "tz-plus1 tz-z"},
      {"Observation?component-code-value-quantity=http://loinc.org|8480-6$gt100|"
       "http://unitsofmeasure.org|mm[Hg]",
       "blood-pressure"},
      {"Observation?component-code-value-quantity=http://loinc.org|8462-4$gt100|"
       "http://unitsofmeasure.org|mm[Hg]",
       ""},
      // Systolic 107 and diastolic 60 are in different components: no component has both.
      {"Observation?component-code-value-quantity=http://loinc.org|8462-4$107|"
       "http://unitsofmeasure.org|mm[Hg]",
       ""},
      {"Observation?component-code-value-quantity=http://loinc.org|8462-4$60|"
       "http://unitsofmeasure.org|mm[Hg]",
       "blood-pressure"},
      {"Observation?code-value-concept=http://loinc.org|883-9$http://snomed.info/sct|112144000",
       "bloodgroup"},
      {"Observation?code-value-concept=http://loinc.org|883-9$http://snomed.info/sct|0000", ""},
      {"Observation?code-value-string=http://example.org/codes|tz$late", "tz-minus"},
  });
}

// https://hl7.org/fhir/R4/search.html#missing
TEST_F(SearchTest, Missing) {
  ExpectRows({
      {"Observation?subject:missing=true", "decimal nosys"},
      {"Observation?subject:missing=false",
       "example f001 f002 blood-pressure bloodgroup f206 eye-color vitals-panel bmi satO2 d-year "
       "d-month d-day d-sec d-next d-period d-open tz-plus1 tz-z tz-minus sys-abc obs-gone"},
      {"Observation?value-quantity:missing=true",
       "blood-pressure bloodgroup f206 eye-color vitals-panel decimal d-year d-month d-day d-sec "
       "d-next d-period d-open tz-minus nosys sys-abc obs-gone"},
      {"Observation?date:missing=true", "f206 decimal nosys sys-abc obs-gone"},
      {"Observation?code-value-quantity:missing=false",
       "example f001 f002 bmi satO2 tz-plus1 tz-z"},
      {"Patient?gender:missing=true", "nogender"},
      {"Patient?birthdate:missing=true", "pat1 pat2 nogender tagged"},
      {"Patient?birthdate:missing=false", "example f001 f201 xcda glossy animal mueller muller"},
      {"Patient?name:missing=true", ""},
      {"Patient?email:missing=false", "f001 mueller"},
      {"Patient?active:missing=true", "nogender"},
      {"Patient?organization:missing=true", "animal mueller nogender tagged"},
      {"RiskAssessment?probability:missing=true", "risk-none"},
      {"RiskAssessment?probability:missing=false", "risk-a risk-b risk-c risk-d risk-e risk-range"},
      {"ValueSet?url:missing=false", "vs-root vs-a vs-ab vs-x"},
  });
}

// https://hl7.org/fhir/R4/search.html#all: _id, _lastUpdated, _tag, _profile, _security, _source.
TEST_F(SearchTest, CommonParameters) {
  ExpectRows({
      {"Patient?_id=example", "example"},
      {"Patient?_id=example,f001", "example f001"},
      {"Patient?_id=nope", ""},
      {"Patient?_id:missing=false", kAllPatients},
      {"Patient?_id:missing=true", ""},
      {"Patient?_lastUpdated:missing=true", ""},
      {"Patient?_id=gone", ""},
      {"Patient?_id:not=example",
       "f001 f201 pat1 pat2 xcda glossy animal mueller muller nogender tagged"},
      {"Patient?_lastUpdated=gt2000-01-01", kAllPatients},
      {"Patient?_lastUpdated=lt2000-01-01", ""},
      // The server stamps meta.lastUpdated: glossy's own 2014 value is not what is indexed.
      {"Patient?_lastUpdated=2014-11-13", ""},
      {"Patient?_tag=http://example.org/tags|search-test", "tagged"},
      {"Patient?_tag=search-test", "tagged"},
      {"Patient?_tag:not=search-test",
       "example f001 f201 pat1 pat2 xcda glossy animal mueller muller nogender"},
      {"Patient?_security=http://terminology.hl7.org/CodeSystem/v3-Confidentiality|R", "tagged"},
      {"Patient?_security:not=http://terminology.hl7.org/CodeSystem/v3-Confidentiality|R",
       "example f001 f201 pat1 pat2 xcda glossy animal mueller muller nogender"},
      {"Patient?_id=example&_id=f001", ""},
      {"Patient?_source=http://example.org/source#1", "tagged"},
      {"Observation?_profile=http://hl7.org/fhir/StructureDefinition/vitalsigns",
       "blood-pressure vitals-panel bmi satO2"},
  });
}

// https://hl7.org/fhir/R4/search.html#combining: a comma ORs values, a repeated parameter ANDs.
TEST_F(SearchTest, OrAndAnd) {
  ExpectRows({
      {"Patient?name=peter&name=chalmers", "example"},
      {"Patient?name=peter&name=windsor", "example"},
      {"Patient?name=peter&name=levin", ""},
      {"Patient?name=peter,levin", "example xcda glossy"},
      {"Patient?gender=male&birthdate=lt1950", "f001 xcda glossy"},
      {"Patient?gender=male&active=false", "mueller"},
      {"Patient?gender=male,female&gender=female,other", "animal muller"},
      {"Observation?code=http://example.org/codes|tz&subject=Patient/mueller", "tz-plus1 tz-minus"},
      {"Observation?code=15074-8,11555-0&code=11555-0", "f002"},
  });
}

// https://hl7.org/fhir/R4/search.html#all: a search across all types, narrowed with _type.
TEST_F(SearchTest, SystemSearch) {
  ExpectRows({
      {"?_id=example",
       "Patient/example Observation/example Encounter/example Practitioner/example"},
      {"?_type=Patient,Observation&_id=example", "Patient/example Observation/example"},
      {"?_type=Patient,Organization&_id=f001", "Patient/f001 Organization/f001"},
      {"?_type=Patient&name=peter", "Patient/example"},
      {"?_tag=search-test", "Patient/tagged"},
      {"?_type=Organization,Practitioner",
       "Organization/1 Organization/2 Organization/f001 Organization/f201 Organization/hl7 "
       "Organization/2.16.840.1.113883.19.5 Practitioner/example Practitioner/f001 "
       "Practitioner/f005 Practitioner/f201"},
      {"?_type=Condition", ""},
      {"?_type=ValueSet&url:below=http://example.org/fhir/ValueSet",
       "ValueSet/vs-a ValueSet/vs-ab"},
      {"?_type=Observation,RiskAssessment&_id=risk-a,f001",
       "Observation/f001 RiskAssessment/risk-a"},
      // family, given, gender, phone and email are one SearchParameter each for Patient,
      // Practitioner, Person and RelatedPerson (individual-*): common to both types.
      {"?_type=Patient,Practitioner&family=careful", "Practitioner/example"},
      {"?_type=Patient,Practitioner&gender=female",
       "Patient/animal Patient/muller Practitioner/f005"},
      {"?_type=Patient,Practitioner&_sort=_id&_id=f001,f005",
       "Patient/f001 Practitioner/f001 Practitioner/f005"},
  });
}

// Compartment search (https://hl7.org/fhir/R4/compartmentdefinition-patient.html): the resources
// of a type that point at the focus through the compartment's parameters.
TEST_F(SearchTest, Compartment) {
  ExpectRows({
      {"Patient/example/Observation", "example blood-pressure eye-color vitals-panel bmi satO2"},
      {"Patient/example/Observation?code=29463-7", "example"},
      {"Patient/pat1/MedicationStatement", "example001 example002 example003"},
      {"Patient/f001/Encounter", "f001"},
      {"Patient/mueller/RiskAssessment", "risk-a risk-b risk-c risk-d risk-e risk-range risk-none"},
      {"Patient/nobody/Observation", ""},
  });
}

// Rows where the server does not (yet) do what the spec asks. Reported, not asserted: each line
// of the skip message says what the spec asks, what the server found, and why.
TEST_F(SearchTest, KnownGaps) {
  // KNOWN GAP (extraction, fhir/search/extract.cc QuantityParts): a composite's quantity part is
  // stored in canonical UCUM units only (185 [lb_av] as 83914.6 g, 60 mm[Hg] as 7999342
  // g.m-1.s-2, 6.3 mmol/L as 3.8e24 m-3), so a part without a unit, or with a code but no
  // system, is compared with the canonical number instead of the value as written.
  constexpr const char* kUnitless =
      "a composite quantity part without a unit is compared with the canonical value";
  ReportKnownGaps({
      {"Observation?code-value-quantity=http://loinc.org|29463-7$185", "example", kUnitless},
      {"Observation?code-value-quantity=http://loinc.org|29463-7$lt200", "example", kUnitless},
      {"Observation?code-value-quantity=15074-8$6.3", "f001", kUnitless},
      {"Observation?code-value-quantity=http://loinc.org|15074-8$gt100", "", kUnitless},
      {"Observation?component-code-value-quantity=http://loinc.org|8462-4$60", "blood-pressure",
       kUnitless},
      {"Observation?component-code-value-quantity=http://loinc.org|8462-4$gt100", "", kUnitless},
      {"Observation?code-value-quantity=http://loinc.org|15074-8$6.3||mmol/L", "f001",
       "a composite quantity part with a code but no system is compared with the canonical "
       "unit"},
  });
}

}  // namespace
}  // namespace schakel::integration
