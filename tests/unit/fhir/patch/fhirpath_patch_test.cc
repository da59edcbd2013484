// FHIRPath Patch (https://hl7.org/fhir/R4/fhirpatch.html) against the R4 definitions.
#include "fhir/patch/fhirpath_patch.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "fhir/json/parse.h"
#include "fhir/json/write.h"
#include "fhir/patch/json_patch.h"
#include "unit/shared_definitions.h"

namespace schakel::fhir::patch {
namespace {

json::Value MustParse(std::string_view text) {
  Result<json::Value> v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << text << ": " << v.status().ToString();
  return v.ok() ? std::move(v).value() : json::Value();
}

// Building Parameters: Part("path", "valueString", "\"Patient.name\"") is
// {"name":"path","valueString":"Patient.name"}; Op(...) is one operation; Params(...) the patch.
std::string Part(std::string_view name, std::string_view member, std::string_view json) {
  return R"({"name":")" + std::string(name) + R"(",")" + std::string(member) +
         "\":" + std::string(json) + "}";
}
std::string Str(std::string_view s) { return "\"" + std::string(s) + "\""; }
std::string Type(std::string_view type) { return Part("type", "valueCode", Str(type)); }
std::string Path(std::string_view path) { return Part("path", "valueString", Str(path)); }
std::string Name(std::string_view name) { return Part("name", "valueString", Str(name)); }
std::string Int(std::string_view name, int n) {
  return Part(name, "valueInteger", std::to_string(n));
}
std::string Value(std::string_view member, std::string_view json) {
  return Part("value", member, json);
}
std::string Parts(std::string_view name, std::initializer_list<std::string> parts) {
  std::string list;
  for (const std::string& p : parts) list += (list.empty() ? "" : ",") + p;
  return R"({"name":")" + std::string(name) + R"(","part":[)" + list + "]}";
}
std::string Op(std::initializer_list<std::string> parts) { return Parts("operation", parts); }
std::string Params(std::initializer_list<std::string> ops) {
  std::string list;
  for (const std::string& o : ops) list += (list.empty() ? "" : ",") + o;
  return R"({"resourceType":"Parameters","parameter":[)" + list + "]}";
}

constexpr std::string_view kPatient = R"({"resourceType":"Patient","id":"p1","active":true,
  "identifier":[{"system":"urn:a","value":"1"},{"system":"urn:b","value":"2"}],
  "name":[{"use":"official","family":"Jansen","given":["Jan","Piet"]}],
  "gender":"male","birthDate":"1970-01-01",
  "_birthDate":{"extension":[{"url":"http://example.org/t","valueString":"x"}]}})";

// The same Patient with one change: `replace` is spliced over `from` in kPatient's text.
std::string PatientWith(std::string_view from, std::string_view to) {
  std::string text(kPatient);
  std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

Result<json::Value> ApplyPatch(std::string_view resource, const std::string& parameters,
                               const FhirPathPatchLimits& limits = {}) {
  Result<FhirPathPatch> patch =
      FhirPathPatch::Parse(MustParse(parameters), *test::SharedRegistry(), limits);
  if (!patch.ok()) return patch.status();
  return patch->Apply(MustParse(resource));
}

struct Case {
  const char* name;
  std::string resource;
  std::string parameters;
  std::string expected;  // the result, when the patch applies
  Code code = Code::kOk;
};

void Check(const Case& c, const FhirPathPatchLimits& limits = {}) {
  SCOPED_TRACE(c.name);
  Result<json::Value> result = ApplyPatch(c.resource, c.parameters, limits);
  if (c.code != Code::kOk) {
    ASSERT_FALSE(result.ok()) << json::Serialize(*result);
    EXPECT_EQ(result.status().code(), c.code) << result.status().ToString();
    return;
  }
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(JsonEquals(*result, MustParse(c.expected)))
      << json::Serialize(*result) << "\n  expected " << c.expected;
}

TEST(FhirPathPatchTest, Add) {
  const std::string p(kPatient);
  const Case cases[] = {
      {"a primitive", p,
       Params(
           {Op({Type("add"), Path("Patient"), Name("deceased"), Value("valueBoolean", "false")})}),
       PatientWith(R"("gender")", R"("deceasedBoolean":false,"gender")")},
      {"an entry of a repeating element", p,
       Params({Op({Type("add"), Path("Patient"), Name("name"),
                   Value("valueHumanName", R"({"family":"Visser"})")})}),
       PatientWith(R"("given":["Jan","Piet"]}])",
                   R"("given":["Jan","Piet"]},{"family":"Visser"}])")},
      {"a primitive list entry", p,
       Params({Op(
           {Type("add"), Path("Patient.name"), Name("given"), Value("valueString", Str("Kees"))})}),
       PatientWith(R"(["Jan","Piet"])", R"(["Jan","Piet","Kees"])")},
      {"a new list", p,
       Params({Op({Type("add"), Path("Patient"), Name("telecom"),
                   Value("valueContactPoint", R"({"system":"phone","value":"1"})")})}),
       PatientWith(R"("gender")", R"("telecom":[{"system":"phone","value":"1"}],"gender")")},
      {"an anonymous type from nested parts", p,
       Params({Op({Type("add"), Path("Patient"), Name("contact"),
                   Parts("value", {Part("name", "valueHumanName", R"({"family":"Smit"})"),
                                   Part("relationship", "valueCodeableConcept",
                                        R"({"text":"buurman"})")})})}),
       PatientWith(R"("gender")",
                   R"("contact":[{"name":{"family":"Smit"},"relationship":[{"text":"buurman"}]}],
                      "gender")")},
      {"a data type from nested parts, with a primitive list", p,
       Params({Op({Type("add"), Path("Patient"), Name("name"),
                   Parts("value", {Part("family", "valueString", Str("Bos")),
                                   Part("given", "valueString", Str("A")),
                                   Part("given", "valueString", Str("B"))})})}),
       PatientWith(R"("given":["Jan","Piet"]}])",
                   R"("given":["Jan","Piet"]},{"family":"Bos","given":["A","B"]}])")},
      {"a choice element picks its JSON name from the value's type", p,
       Params(
           {Op({Type("add"), Path("Patient"), Name("multipleBirth"), Value("valueInteger", "2")})}),
       PatientWith(R"("gender")", R"("multipleBirthInteger":2,"gender")")},
      {"an extension on a primitive goes into its companion", p,
       Params({Op({Type("add"), Path("Patient.gender"), Name("extension"),
                   Parts("value", {Part("url", "valueUri", Str("http://example.org/e")),
                                   Part("value", "valueString", Str("y"))})})}),
       PatientWith(R"("gender":"male")",
                   R"("gender":"male","_gender":{"extension":[{"url":"http://example.org/e",
                      "valueString":"y"}]})")},
      {"an extension on a primitive list entry", p,
       Params({Op({Type("add"), Path("Patient.name.given[1]"), Name("extension"),
                   Parts("value", {Part("url", "valueUri", Str("http://example.org/e")),
                                   Part("value", "valueCode", Str("y"))})})}),
       PatientWith(R"("given":["Jan","Piet"])",
                   R"("given":["Jan","Piet"],"_given":[null,{"extension":[
                      {"url":"http://example.org/e","valueCode":"y"}]}])")},
      {"a primitive with its extension", p,
       Params({Op({Type("add"), Path("Patient"), Name("deceased"),
                   R"({"name":"value","valueBoolean":true,"_valueBoolean":{"id":"d1"}})"})}),
       PatientWith(R"("gender")", R"("deceasedBoolean":true,"_deceasedBoolean":{"id":"d1"},
                      "gender")")},
      {"a code given as valueString", p,
       Params({Op({Type("add"), Path("Patient.identifier[0]"), Name("use"),
                   Value("valueString", Str("usual"))})}),
       PatientWith(R"({"system":"urn:a")", R"({"use":"usual","system":"urn:a")")},
      {"an element that exists and does not repeat", p,
       Params(
           {Op({Type("add"), Path("Patient"), Name("gender"), Value("valueCode", Str("female"))})}),
       "", Code::kUnprocessable},
      {"another variant of a choice that is there",
       PatientWith(R"("gender")", R"("deceasedDateTime":"2020-01-01","gender")"),
       Params(
           {Op({Type("add"), Path("Patient"), Name("deceased"), Value("valueBoolean", "true")})}),
       "", Code::kUnprocessable},
      {"a type the choice does not have", p,
       Params({Op(
           {Type("add"), Path("Patient"), Name("deceased"), Value("valueString", Str("yes"))})}),
       "", Code::kUnprocessable},
      {"a choice from nested parts", p,
       Params({Op({Type("add"), Path("Patient"), Name("deceased"),
                   Parts("value", {Part("value", "valueBoolean", "true")})})}),
       "", Code::kUnprocessable},
      {"an unknown element", p,
       Params(
           {Op({Type("add"), Path("Patient"), Name("nickname"), Value("valueString", Str("x"))})}),
       "", Code::kUnprocessable},
      {"a value of the wrong type", p,
       Params(
           {Op({Type("add"), Path("Patient"), Name("name"), Value("valueString", Str("Visser"))})}),
       "", Code::kUnprocessable},
      {"a primitive from nested parts", p,
       Params({Op({Type("add"), Path("Patient"), Name("birthDate"),
                   Parts("value", {Part("value", "valueDate", Str("2000-01-01"))})})}),
       "", Code::kUnprocessable},
      {"a path selecting two elements", p,
       Params({Op({Type("add"), Path("Patient.identifier"), Name("use"),
                   Value("valueCode", Str("usual"))})}),
       "", Code::kUnprocessable},
      {"a path selecting nothing", p,
       Params({Op({Type("add"), Path("Patient.contact"), Name("gender"),
                   Value("valueCode", Str("male"))})}),
       "", Code::kUnprocessable},
  };
  for (const Case& c : cases) Check(c);
}

TEST(FhirPathPatchTest, Insert) {
  const std::string p(kPatient);
  const std::string identifier = R"({"system":"urn:c","value":"3"})";
  const Case cases[] = {
      {"at the front", p,
       Params({Op({Type("insert"), Path("Patient.identifier"), Int("index", 0),
                   Value("valueIdentifier", identifier)})}),
       PatientWith(R"("identifier":[)", R"("identifier":[)" + identifier + ",")},
      {"in the middle", p,
       Params({Op({Type("insert"), Path("Patient.identifier"), Int("index", 1),
                   Value("valueIdentifier", identifier)})}),
       PatientWith(R"("value":"1"},)", R"("value":"1"},)" + identifier + ",")},
      {"at the end", p,
       Params({Op({Type("insert"), Path("Patient.identifier"), Int("index", 2),
                   Value("valueIdentifier", identifier)})}),
       PatientWith(R"("value":"2"}])", R"("value":"2"},)" + identifier + "]")},
      {"a primitive", p,
       Params({Op({Type("insert"), Path("Patient.name.given"), Int("index", 1),
                   Value("valueString", Str("Kees"))})}),
       PatientWith(R"(["Jan","Piet"])", R"(["Jan","Kees","Piet"])")},
      {"a primitive beside extensions",
       PatientWith(R"("given":["Jan","Piet"])",
                   R"("given":["Jan","Piet"],"_given":[null,{"id":"g2"}])"),
       Params({Op({Type("insert"), Path("Patient.name.given"), Int("index", 0),
                   Value("valueString", Str("Kees"))})}),
       PatientWith(R"("given":["Jan","Piet"])",
                   R"("given":["Kees","Jan","Piet"],"_given":[null,null,{"id":"g2"}])")},
      {"beyond the end", p,
       Params({Op({Type("insert"), Path("Patient.identifier"), Int("index", 3),
                   Value("valueIdentifier", identifier)})}),
       "", Code::kUnprocessable},
      {"into part of a list", p,
       Params({Op({Type("insert"), Path("Patient.identifier.where(system='urn:a')"),
                   Int("index", 0), Value("valueIdentifier", identifier)})}),
       "", Code::kUnprocessable},
      {"into an element that does not repeat", p,
       Params({Op({Type("insert"), Path("Patient.gender"), Int("index", 0),
                   Value("valueCode", Str("female"))})}),
       "", Code::kUnprocessable},
      {"into a list that is not there", p,
       Params({Op({Type("insert"), Path("Patient.telecom"), Int("index", 0),
                   Value("valueContactPoint", R"({"value":"1"})")})}),
       "", Code::kUnprocessable},
      {"a value of the wrong type", p,
       Params({Op({Type("insert"), Path("Patient.identifier"), Int("index", 0),
                   Value("valueCoding", R"({"code":"x"})")})}),
       "", Code::kUnprocessable},
      {"across two lists", p,
       Params({Op({Type("insert"), Path("Patient.identifier | Patient.name"), Int("index", 0),
                   Value("valueIdentifier", identifier)})}),
       "", Code::kUnprocessable},
  };
  for (const Case& c : cases) Check(c);
}

TEST(FhirPathPatchTest, Delete) {
  const std::string p(kPatient);
  const Case cases[] = {
      {"a primitive", p, Params({Op({Type("delete"), Path("Patient.gender")})}),
       PatientWith(R"("gender":"male",)", "")},
      {"a primitive with its extensions", p,
       Params({Op({Type("delete"), Path("Patient.birthDate")})}),
       PatientWith(R"(,"birthDate":"1970-01-01",
  "_birthDate":{"extension":[{"url":"http://example.org/t","valueString":"x"}]})",
                   "")},
      {"only the extension of a primitive", p,
       Params({Op({Type("delete"), Path("Patient.birthDate.extension")})}),
       PatientWith(R"(,
  "_birthDate":{"extension":[{"url":"http://example.org/t","valueString":"x"}]})",
                   "")},
      {"a list entry", p, Params({Op({Type("delete"), Path("Patient.identifier[0]")})}),
       PatientWith(R"({"system":"urn:a","value":"1"},)", "")},
      {"a primitive list entry", p, Params({Op({Type("delete"), Path("Patient.name.given[0]")})}),
       PatientWith(R"(["Jan","Piet"])", R"(["Piet"])")},
      {"a primitive list entry with its extension",
       PatientWith(R"("given":["Jan","Piet"])",
                   R"("given":["Jan","Piet"],"_given":[null,{"id":"g2"}])"),
       Params({Op({Type("delete"), Path("Patient.name.given[1]")})}),
       PatientWith(R"(["Jan","Piet"])", R"(["Jan"])")},
      {"the last of a list", PatientWith(R"({"system":"urn:a","value":"1"},)", ""),
       Params({Op({Type("delete"), Path("Patient.identifier")})}),
       PatientWith(
           R"("identifier":[{"system":"urn:a","value":"1"},{"system":"urn:b","value":"2"}],)", "")},
      {"an element that leaves its parent empty", p,
       Params({Op({Type("delete"), Path("Patient.name.use")}),
               Op({Type("delete"), Path("Patient.name.family")}),
               Op({Type("delete"), Path("Patient.name.given[0]")}),
               Op({Type("delete"), Path("Patient.name.given")})}),
       PatientWith(R"("name":[{"use":"official","family":"Jansen","given":["Jan","Piet"]}],)", "")},
      {"nothing", p, Params({Op({Type("delete"), Path("Patient.telecom")})}), p},
      {"two elements", p, Params({Op({Type("delete"), Path("Patient.identifier")})}), "",
       Code::kUnprocessable},
      {"the resource", p, Params({Op({Type("delete"), Path("Patient")})}), "",
       Code::kUnprocessable},
      {"a literal", p, Params({Op({Type("delete"), Path("'abc'")})}), "", Code::kUnprocessable},
  };
  for (const Case& c : cases) Check(c);
}

TEST(FhirPathPatchTest, Replace) {
  const std::string p(kPatient);
  const std::string observation =
      R"({"resourceType":"Observation","status":"final","code":{"text":"x"},
          "valueQuantity":{"value":1.50,"unit":"kg"},"note":[{"text":"n"}]})";
  const Case cases[] = {
      {"a primitive", p,
       Params({Op({Type("replace"), Path("Patient.gender"), Value("valueCode", Str("female"))})}),
       PatientWith(R"("gender":"male")", R"("gender":"female")")},
      {"a primitive and its extensions", p,
       Params({Op(
           {Type("replace"), Path("Patient.birthDate"), Value("valueDate", Str("1980-02-02"))})}),
       PatientWith(R"("birthDate":"1970-01-01",
  "_birthDate":{"extension":[{"url":"http://example.org/t","valueString":"x"}]})",
                   R"("birthDate":"1980-02-02")")},
      {"a list entry", p,
       Params({Op({Type("replace"), Path("Patient.identifier[1]"),
                   Value("valueIdentifier", R"({"value":"9"})")})}),
       PatientWith(R"({"system":"urn:b","value":"2"})", R"({"value":"9"})")},
      {"a primitive list entry", p,
       Params({Op(
           {Type("replace"), Path("Patient.name.given[1]"), Value("valueString", Str("Klaas"))})}),
       PatientWith(R"(["Jan","Piet"])", R"(["Jan","Klaas"])")},
      {"a complex element from nested parts", p,
       Params({Op({Type("replace"), Path("Patient.name[0]"),
                   Parts("value", {Part("family", "valueString", Str("Bakker"))})})}),
       PatientWith(R"({"use":"official","family":"Jansen","given":["Jan","Piet"]})",
                   R"({"family":"Bakker"})")},
      {"a choice with another of its types", observation,
       Params(
           {Op({Type("replace"), Path("Observation.value"), Value("valueString", Str("veel"))})}),
       R"({"resourceType":"Observation","status":"final","code":{"text":"x"},
           "valueString":"veel","note":[{"text":"n"}]})"},
      {"a specialization for its base type (Age for a Quantity)", observation,
       Params({Op({Type("replace"), Path("Observation.value"),
                   Value("valueQuantity", R"({"value":2})")}),
               Op({Type("add"), Path("Observation"), Name("referenceRange"),
                   Parts("value", {Part("low", "valueAge", R"({"value":18})")})})}),
       R"({"resourceType":"Observation","status":"final","code":{"text":"x"},
           "valueQuantity":{"value":2},"note":[{"text":"n"}],
           "referenceRange":[{"low":{"value":18}}]})"},
      {"a choice with a type it does not have", observation,
       Params({Op({Type("replace"), Path("Observation.value"),
                   Value("valueAddress", R"({"city":"x"})")})}),
       "", Code::kUnprocessable},
      {"through resolve() into a contained resource",
       R"({"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o",
           "name":"Oud"}],"managingOrganization":{"reference":"#o"}})",
       Params({Op({Type("replace"), Path("Patient.managingOrganization.resolve().name"),
                   Value("valueString", Str("Nieuw"))})}),
       R"({"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o",
           "name":"Nieuw"}],"managingOrganization":{"reference":"#o"}})"},
      {"nothing", p,
       Params({Op({Type("replace"), Path("Patient.telecom"),
                   Value("valueContactPoint", R"({"value":"1"})")})}),
       "", Code::kUnprocessable},
      {"two elements", p,
       Params({Op({Type("replace"), Path("Patient.name.given"), Value("valueString", Str("X"))})}),
       "", Code::kUnprocessable},
      {"the resource", p,
       Params({Op({Type("replace"), Path("Patient"), Value("valueString", Str("X"))})}), "",
       Code::kUnprocessable},
      {"a computed value", p,
       Params(
           {Op({Type("replace"), Path("Patient.gender.upper()"), Value("valueCode", Str("x"))})}),
       "", Code::kUnprocessable},
      {"with a path that fails to evaluate", p,
       Params({Op({Type("replace"), Path("Patient.identifier.single().value"),
                   Value("valueString", Str("x"))})}),
       "", Code::kUnprocessable},
  };
  for (const Case& c : cases) Check(c);
}

TEST(FhirPathPatchTest, Move) {
  const std::string p(kPatient);
  const Case cases[] = {
      {"forward", p,
       Params({Op(
           {Type("move"), Path("Patient.identifier"), Int("source", 0), Int("destination", 1)})}),
       PatientWith(R"([{"system":"urn:a","value":"1"},{"system":"urn:b","value":"2"}])",
                   R"([{"system":"urn:b","value":"2"},{"system":"urn:a","value":"1"}])")},
      {"primitives with their extensions",
       PatientWith(R"("given":["Jan","Piet"])",
                   R"("given":["Jan","Piet","Kees"],"_given":[{"id":"g1"},null,null])"),
       Params({Op(
           {Type("move"), Path("Patient.name.given"), Int("source", 0), Int("destination", 2)})}),
       PatientWith(R"("given":["Jan","Piet"])",
                   R"("given":["Piet","Kees","Jan"],"_given":[null,null,{"id":"g1"}])")},
      {"onto itself", p,
       Params({Op(
           {Type("move"), Path("Patient.identifier"), Int("source", 1), Int("destination", 1)})}),
       p},
      {"from beyond the end", p,
       Params({Op(
           {Type("move"), Path("Patient.identifier"), Int("source", 2), Int("destination", 0)})}),
       "", Code::kUnprocessable},
      {"to beyond the end", p,
       Params({Op(
           {Type("move"), Path("Patient.identifier"), Int("source", 0), Int("destination", 2)})}),
       "", Code::kUnprocessable},
  };
  for (const Case& c : cases) Check(c);
}

TEST(FhirPathPatchTest, ContainedResources) {
  const std::string patient =
      R"({"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o"}]})";
  const Case cases[] = {
      {"add to a contained resource", patient,
       Params({Op({Type("add"), Path("Patient.contained[0]"), Name("name"),
                   Value("valueString", Str("Acme"))})}),
       R"({"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o",
           "name":"Acme"}]})"},
      {"insert a resource", patient,
       Params({Op({Type("insert"), Path("Patient.contained"), Int("index", 0),
                   Part("value", "resource", R"({"resourceType":"Practitioner","id":"d"})")})}),
       R"({"resourceType":"Patient","contained":[{"resourceType":"Practitioner","id":"d"},
           {"resourceType":"Organization","id":"o"}]})"},
      {"a data type where a resource goes", patient,
       Params(
           {Op({Type("add"), Path("Patient"), Name("contained"), Value("valueString", Str("x"))})}),
       "", Code::kUnprocessable},
  };
  for (const Case& c : cases) Check(c);
}

TEST(FhirPathPatchTest, OperationsApplyInOrder) {
  Check({"add then replace what was added", std::string(kPatient),
         Params({Op({Type("add"), Path("Patient"), Name("telecom"),
                     Value("valueContactPoint", R"({"value":"1"})")}),
                 Op({Type("replace"), Path("Patient.telecom.value"),
                     Value("valueString", Str("2"))})}),
         PatientWith(R"("gender")", R"("telecom":[{"value":"2"}],"gender")")});
  Check({"an empty Parameters changes nothing", std::string(kPatient),
         R"({"resourceType":"Parameters"})", std::string(kPatient)});
  Check({"a later failure fails it all", std::string(kPatient),
         Params({Op({Type("delete"), Path("Patient.gender")}),
                 Op({Type("delete"), Path("Patient.identifier")})}),
         "", Code::kUnprocessable});
}

// fhir/path: a primitive's id and extensions (in its `_name` companion) are its children.
TEST(FhirPathPatchTest, PathsReachTheExtensionsOfPrimitives) {
  const json::Value patient = MustParse(kPatient);
  path::EvaluationContext context;
  context.registry = test::SharedRegistry().get();
  for (const char* text : {"Patient.birthDate.extension.value",
                           "Patient.birthDate.extension('http://example.org/t').value",
                           "Patient.birthDate.children().value"}) {
    SCOPED_TRACE(text);
    Result<path::Expression> expression = path::Expression::Parse(text);
    ASSERT_TRUE(expression.ok());
    Result<path::Collection> result = expression->Evaluate(patient, context);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    ASSERT_EQ(result->size(), 1u);
    ASSERT_NE(result->front().node, nullptr);
    EXPECT_EQ(result->front().node->text(), "x");
  }
}

TEST(FhirPathPatchTest, ReplaceKeepsThePlaceOfTheElement) {
  Result<json::Value> result = ApplyPatch(
      R"({"resourceType":"Observation","status":"final","valueQuantity":{"value":1},
              "code":{"text":"x"}})",
      Params({Op({Type("replace"), Path("Observation.value"), Value("valueInteger", "5")})}));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(json::Serialize(*result),
            R"({"resourceType":"Observation","status":"final","valueInteger":5,)"
            R"("code":{"text":"x"}})");
}

TEST(FhirPathPatchTest, ErrorsNameTheOperationAndItsPath) {
  Result<json::Value> result =
      ApplyPatch(kPatient, Params({Op({Type("delete"), Path("Patient.gender")}),
                                   Op({Type("delete"), Path("Patient.identifier")})}));
  ASSERT_FALSE(result.ok());
  const Issue& issue = result.status().issues().front();
  EXPECT_NE(issue.diagnostics.find("operation 1 (delete Patient.identifier)"), std::string::npos)
      << issue.diagnostics;
  EXPECT_NE(issue.diagnostics.find("selects 2"), std::string::npos) << issue.diagnostics;
  EXPECT_EQ(issue.expression, "Patient.identifier");
}

TEST(FhirPathPatchTest, MalformedPatchesAreInvalidInput) {
  const std::string p(kPatient);
  const std::string gender = Value("valueCode", Str("female"));
  const Case cases[] = {
      {"not a Parameters", p, R"({"resourceType":"Patient"})", "", Code::kInvalidInput},
      {"parameter not an array", p, R"({"resourceType":"Parameters","parameter":{}})", "",
       Code::kInvalidInput},
      {"a parameter other than operation", p,
       R"({"resourceType":"Parameters","parameter":[{"name":"op","part":[]}]})", "",
       Code::kInvalidInput},
      {"an operation without parts", p, R"({"resourceType":"Parameters","parameter":[
         {"name":"operation"}]})",
       "", Code::kInvalidInput},
      {"no type", p, Params({Op({Path("Patient.gender")})}), "", Code::kInvalidInput},
      {"an unknown type", p, Params({Op({Type("upsert"), Path("Patient.gender")})}), "",
       Code::kInvalidInput},
      {"no path", p, Params({Op({Type("delete")})}), "", Code::kInvalidInput},
      {"a path that does not parse", p, Params({Op({Type("delete"), Path("Patient.(")})}), "",
       Code::kInvalidInput},
      {"add without a name", p, Params({Op({Type("add"), Path("Patient"), gender})}), "",
       Code::kInvalidInput},
      {"add without a value", p, Params({Op({Type("add"), Path("Patient"), Name("gender")})}), "",
       Code::kInvalidInput},
      {"replace without a value", p, Params({Op({Type("replace"), Path("Patient.gender")})}), "",
       Code::kInvalidInput},
      {"insert without an index", p,
       Params({Op({Type("insert"), Path("Patient.identifier"), gender})}), "", Code::kInvalidInput},
      {"a negative index", p,
       Params({Op({Type("insert"), Path("Patient.identifier"), Int("index", -1), gender})}), "",
       Code::kInvalidInput},
      {"move without a destination", p,
       Params({Op({Type("move"), Path("Patient.identifier"), Int("source", 0)})}), "",
       Code::kInvalidInput},
      {"a part twice", p,
       Params({Op({Type("delete"), Path("Patient.gender"), Path("Patient.birthDate")})}), "",
       Code::kInvalidInput},
      {"an unknown part", p,
       Params(
           {Op({Type("delete"), Path("Patient.gender"), Part("where", "valueString", "\"x\"")})}),
       "", Code::kInvalidInput},
      {"a value with two value[x]", p,
       Params({Op({Type("replace"), Path("Patient.gender"),
                   R"({"name":"value","valueCode":"female","valueString":"female"})"})}),
       "", Code::kInvalidInput},
      {"a value with no content", p,
       Params({Op({Type("replace"), Path("Patient.gender"), R"({"name":"value"})"})}), "",
       Code::kInvalidInput},
      {"a value of an unknown type", p,
       Params({Op({Type("replace"), Path("Patient.gender"), Value("valueGender", Str("f"))})}), "",
       Code::kInvalidInput},
      {"a complex value that is not an object", p,
       Params({Op({Type("replace"), Path("Patient.name[0]"), Value("valueHumanName", Str("x"))})}),
       "", Code::kInvalidInput},
      {"a nested part without a name", p,
       Params({Op({Type("add"), Path("Patient"), Name("contact"),
                   Parts("value", {R"({"valueString":"x"})"})})}),
       "", Code::kInvalidInput},
  };
  for (const Case& c : cases) Check(c);
}

TEST(FhirPathPatchTest, LimitsBoundHostilePatches) {
  FhirPathPatchLimits limits;
  limits.max_operations = 2;
  Check({"more operations than allowed", std::string(kPatient),
         Params({Op({Type("delete"), Path("Patient.gender")}),
                 Op({Type("delete"), Path("Patient.active")}),
                 Op({Type("delete"), Path("Patient.birthDate")})}),
         "", Code::kTooLarge},
        limits);

  FhirPathPatchLimits shallow;
  shallow.max_depth = 3;
  Check({"a value nesting deeper than allowed", std::string(kPatient),
         Params({Op({Type("add"), Path("Patient"), Name("contact"),
                     Parts("value", {Part("name", "valueHumanName", R"({"family":"Smit"})")})})}),
         "", Code::kUnprocessable},
        shallow);

  FhirPathPatchLimits stingy;
  stingy.max_work = 3;
  Check({"locating beyond the work budget", std::string(kPatient),
         Params({Op({Type("delete"), Path("Patient.name.given[1]")})}), "", Code::kUnprocessable},
        stingy);

  FhirPathPatchLimits slow;
  slow.max_steps_per_path = 50;
  Result<json::Value> result =
      ApplyPatch(kPatient,
                 Params({Op({Type("delete"), Path("Patient.descendants().where(true).where(true)."
                                                  "where(false)")})}),
                 slow);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().issues().front().type, IssueType::kTooCostly)
      << result.status().ToString();
}

}  // namespace
}  // namespace schakel::fhir::patch
