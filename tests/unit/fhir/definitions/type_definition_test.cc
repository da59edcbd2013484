// TypeDefinition and the Registry's element resolution, on the real R4 definitions and on small
// hand-written StructureDefinitions. https://hl7.org/fhir/R4/elementdefinition.html
#include "fhir/definitions/type_definition.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/definitions/registry.h"
#include "fhir/json/parse.h"
#include "unit/shared_definitions.h"

namespace schakel::fhir::definitions {
namespace {

class TypeDefinitionTest : public testing::Test {
 protected:
  static const Registry& registry() { return *::schakel::test::SharedRegistry(); }

  // The definition of `type`; fails the test when there is none.
  static const TypeDefinition& Type(std::string_view type) {
    const TypeDefinition* def = registry().Type(type);
    EXPECT_NE(def, nullptr) << type;
    return def != nullptr ? *def : *registry().Type("Patient");
  }
  static const ElementDefinition& Element(std::string_view type, std::string_view path) {
    const ElementDefinition* e = Type(type).FindPath(path);
    EXPECT_NE(e, nullptr) << path;
    return e != nullptr ? *e : Type(type).root();
  }
  static std::vector<std::string> Names(const Registry::Children& children) {
    std::vector<std::string> out;
    for (std::uint32_t index : *children.indices)
      out.push_back(children.owner->element(index).name);
    return out;
  }
  static std::vector<std::string> ChildNames(const TypeDefinition& def,
                                             const ElementDefinition& parent) {
    return Names({&def, &def.ChildIndices(parent)});
  }
  // The ElementRef for `path` inside `type`, with the element's single type code.
  static ElementRef Ref(std::string_view type, std::string_view path) {
    const ElementDefinition& e = Element(type, path);
    return {&Type(type), &e,
            e.type_codes.size() == 1 ? std::string_view(e.type_codes[0]) : std::string_view()};
  }
};

TEST_F(TypeDefinitionTest, PatientRootAndItsChildren) {
  const TypeDefinition& patient = Type("Patient");
  EXPECT_EQ(patient.info().type, "Patient");
  EXPECT_EQ(patient.info().kind, StructureKind::kResource);
  EXPECT_EQ(patient.root().path, "Patient");
  EXPECT_EQ(patient.root().name, "Patient");
  EXPECT_EQ(&patient.element(0), &patient.root());
  EXPECT_EQ(ChildNames(patient, patient.root()), (std::vector<std::string>{"id",
                                                                           "meta",
                                                                           "implicitRules",
                                                                           "language",
                                                                           "text",
                                                                           "contained",
                                                                           "extension",
                                                                           "modifierExtension",
                                                                           "identifier",
                                                                           "active",
                                                                           "name",
                                                                           "telecom",
                                                                           "gender",
                                                                           "birthDate",
                                                                           "deceased",
                                                                           "address",
                                                                           "maritalStatus",
                                                                           "multipleBirth",
                                                                           "photo",
                                                                           "contact",
                                                                           "communication",
                                                                           "generalPractitioner",
                                                                           "managingOrganization",
                                                                           "link"}));
  EXPECT_TRUE(patient.HasInlineChildren(patient.root()));
  // Every element's path starts with its parent's.
  for (const ElementDefinition& e : patient.elements()) {
    for (std::uint32_t child : e.children) {
      EXPECT_EQ(patient.element(child).path.rfind(e.path + ".", 0), 0u)
          << patient.element(child).path;
    }
  }
  EXPECT_EQ(
      ChildNames(patient, Element("Patient", "Patient.contact")),
      (std::vector<std::string>{"id", "extension", "modifierExtension", "relationship", "name",
                                "telecom", "address", "gender", "organization", "period"}));
  // An element whose content is a data type has no children of its own here.
  EXPECT_FALSE(patient.HasInlineChildren(Element("Patient", "Patient.name")));
  EXPECT_EQ(patient.FindPath("Patient.foo"), nullptr);
  EXPECT_EQ(patient.FindPath("Patient.deceased"), nullptr);  // the path keeps its [x]
}

TEST_F(TypeDefinitionTest, ChoiceElements) {
  struct Case {
    std::string_view type;
    std::string_view path;
    std::string_view name;
    std::vector<std::string> type_codes;
  };
  const Case cases[] = {
      {"Patient", "Patient.deceased[x]", "deceased", {"boolean", "dateTime"}},
      {"Patient", "Patient.multipleBirth[x]", "multipleBirth", {"boolean", "integer"}},
      {"Observation",
       "Observation.value[x]",
       "value",
       {"Quantity", "CodeableConcept", "string", "boolean", "integer", "Range", "Ratio",
        "SampledData", "time", "dateTime", "Period"}},
      {"Observation",
       "Observation.effective[x]",
       "effective",
       {"dateTime", "Period", "Timing", "instant"}},
      {"MedicationRequest",
       "MedicationRequest.medication[x]",
       "medication",
       {"CodeableConcept", "Reference"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path);
    const ElementDefinition& e = Element(c.type, c.path);
    EXPECT_TRUE(e.is_choice);
    EXPECT_EQ(e.name, c.name);
    EXPECT_EQ(e.type_codes, c.type_codes);
    for (const std::string& code : c.type_codes) EXPECT_TRUE(e.HasType(code)) << code;
    EXPECT_FALSE(e.HasType("Foo"));
  }
  EXPECT_EQ(Element("Extension", "Extension.value[x]").type_codes.size(), 50u);
  EXPECT_FALSE(Element("Patient", "Patient.gender").is_choice);
  EXPECT_EQ(Element("Patient", "Patient.gender").name, "gender");
}

TEST_F(TypeDefinitionTest, CardinalityAndIsArrayFollowTheBaseMax) {
  struct Case {
    std::string_view type;
    std::string_view path;
    std::uint32_t min;
    std::uint32_t max;
    bool is_array;
  };
  const Case cases[] = {
      {"Patient", "Patient.name", 0, kUnbounded, true},
      {"Patient", "Patient.gender", 0, 1, false},
      {"Patient", "Patient.deceased[x]", 0, 1, false},
      {"Patient", "Patient.contact", 0, kUnbounded, true},
      {"Patient", "Patient.contact.name", 0, 1, false},
      {"Patient", "Patient.contained", 0, kUnbounded, true},
      {"HumanName", "HumanName.given", 0, kUnbounded, true},
      {"Observation", "Observation.status", 1, 1, false},
      {"Observation", "Observation.code", 1, 1, false},
      {"Extension", "Extension.url", 1, 1, false},
      {"Narrative", "Narrative.div", 1, 1, false},
      {"Questionnaire", "Questionnaire.item.item", 0, kUnbounded, true},
      // Constrained to 0..0 in R4 but 0..* in its base: still an array in JSON.
      {"xhtml", "xhtml.extension", 0, 0, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path);
    const ElementDefinition& e = Element(c.type, c.path);
    EXPECT_EQ(e.min, c.min);
    EXPECT_EQ(e.max, c.max);
    EXPECT_EQ(e.IsArray(), c.is_array);
  }
  EXPECT_EQ(Element("xhtml", "xhtml.extension").base_max, kUnbounded);
}

TEST_F(TypeDefinitionTest, SystemTypesBecomeFhirTypes) {
  struct Case {
    std::string_view type;
    std::string_view path;
    std::string_view type_code;
  };
  const Case cases[] = {
      // R4 types Resource.id as a System.String with fhir-type "string"; its rules are those of id.
      {"Patient", "Patient.id", "id"},
      {"Observation", "Observation.id", "id"},
      {"Bundle", "Bundle.id", "id"},
      {"Resource", "Resource.id", "id"},
      // Element.id stays a string.
      {"HumanName", "HumanName.id", "string"},
      {"Element", "Element.id", "string"},
      {"Extension", "Extension.url", "uri"},
      {"string", "string.value", "string"},
      {"boolean", "boolean.value", "boolean"},
      {"date", "date.value", "date"},
      {"Patient", "Patient.gender", "code"},
      {"Patient", "Patient.name", "HumanName"},
      {"Patient", "Patient.contact", "BackboneElement"},
      {"Patient", "Patient.contained", "Resource"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path);
    EXPECT_EQ(Element(c.type, c.path).type_codes,
              std::vector<std::string>{std::string(c.type_code)});
  }
}

TEST_F(TypeDefinitionTest, BindingsTargetsAndFlags) {
  const ElementDefinition& status = Element("Observation", "Observation.status");
  EXPECT_EQ(status.binding, BindingStrength::kRequired);
  EXPECT_EQ(status.value_set, "http://hl7.org/fhir/ValueSet/observation-status");  // no |4.0.1
  EXPECT_TRUE(status.is_modifier);
  EXPECT_TRUE(status.is_summary);
  EXPECT_EQ(Element("Patient", "Patient.maritalStatus").binding, BindingStrength::kExtensible);
  EXPECT_EQ(Element("Patient", "Patient.name").binding, BindingStrength::kNone);
  EXPECT_EQ(Element("Patient", "Patient.generalPractitioner").target_profiles,
            (std::vector<std::string>{"http://hl7.org/fhir/StructureDefinition/Organization",
                                      "http://hl7.org/fhir/StructureDefinition/Practitioner",
                                      "http://hl7.org/fhir/StructureDefinition/PractitionerRole"}));
  EXPECT_TRUE(Element("Extension", "Extension.url").xml_attribute);
  EXPECT_FALSE(Element("Extension", "Extension.value[x]").xml_attribute);
  bool has_pat_1 = false;
  for (const Constraint& c : Element("Patient", "Patient.contact").constraints) {
    if (c.key != "pat-1") continue;
    has_pat_1 = true;
    EXPECT_TRUE(c.is_error);
    EXPECT_FALSE(c.expression.empty());
    EXPECT_FALSE(c.human.empty());
  }
  EXPECT_TRUE(has_pat_1);
}

TEST_F(TypeDefinitionTest, ContentReferenceSharesTheTargetsChildren) {
  const TypeDefinition& questionnaire = Type("Questionnaire");
  const ElementDefinition& item = Element("Questionnaire", "Questionnaire.item");
  const ElementDefinition& nested = Element("Questionnaire", "Questionnaire.item.item");
  ASSERT_GE(nested.content_reference, 0);
  EXPECT_EQ(&questionnaire.element(static_cast<std::uint32_t>(nested.content_reference)), &item);
  EXPECT_EQ(item.content_reference, -1);
  EXPECT_TRUE(nested.children.empty());
  EXPECT_TRUE(nested.type_codes.empty());  // R4 gives a contentReference element no type
  EXPECT_EQ(&questionnaire.ChildIndices(nested), &questionnaire.ChildIndices(item));
  EXPECT_TRUE(questionnaire.HasInlineChildren(nested));
  EXPECT_EQ(ChildNames(questionnaire, nested),
            (std::vector<std::string>{
                "id", "extension", "modifierExtension", "linkId", "definition", "code", "prefix",
                "text", "type", "enableWhen", "enableBehavior", "required", "repeats", "readOnly",
                "maxLength", "answerValueSet", "answerOption", "initial", "item"}));

  // Through the Registry, three levels down.
  std::optional<ElementRef> level = registry().Root("Questionnaire");
  ASSERT_TRUE(level.has_value());
  for (int depth = 0; depth < 3; ++depth) {
    level = registry().ResolveChild(*level, "item");
    ASSERT_TRUE(level.has_value()) << depth;
    // The occurrence takes the type of the element it refers to.
    EXPECT_EQ(level->type_code, "BackboneElement") << depth;
    EXPECT_EQ(level->element, depth == 0 ? &item : &nested) << depth;
  }
  std::optional<ElementRef> link_id = registry().ResolveChild(*level, "linkId");
  ASSERT_TRUE(link_id.has_value());
  EXPECT_EQ(link_id->element->path, "Questionnaire.item.linkId");
  EXPECT_EQ(link_id->type_code, "string");
  EXPECT_FALSE(registry().ResolveChild(*level, "foo").has_value());

  const ElementDefinition& part = Element("Parameters", "Parameters.parameter.part");
  ASSERT_GE(part.content_reference, 0);
  EXPECT_EQ(Type("Parameters").element(static_cast<std::uint32_t>(part.content_reference)).path,
            "Parameters.parameter");
}

TEST_F(TypeDefinitionTest, ResolveChild) {
  struct Case {
    std::string_view parent_type;
    std::string_view name;
    std::optional<std::string_view> path;  // nullopt: no such child
    std::string_view type_code;
    std::string_view owner;
  };
  const Case cases[] = {
      {"Observation", "valueQuantity", "Observation.value[x]", "Quantity", "Observation"},
      {"Observation", "valueString", "Observation.value[x]", "string", "Observation"},
      {"Observation", "valueDateTime", "Observation.value[x]", "dateTime", "Observation"},
      {"Observation", "valueCodeableConcept", "Observation.value[x]", "CodeableConcept",
       "Observation"},
      {"Observation", "status", "Observation.status", "code", "Observation"},
      {"Observation", "valueFoo", std::nullopt, "", ""},
      {"Observation", "valuestring", std::nullopt, "", ""},
      {"Observation", "valueDate", std::nullopt, "", ""},  // not among value[x]'s types
      {"Observation", "value", std::nullopt, "", ""},
      {"Observation", "value[x]", std::nullopt, "", ""},
      {"Observation", "", std::nullopt, "", ""},
      {"Patient", "deceasedDateTime", "Patient.deceased[x]", "dateTime", "Patient"},
      {"Patient", "deceasedBoolean", "Patient.deceased[x]", "boolean", "Patient"},
      {"Patient", "deceasedString", std::nullopt, "", ""},
      {"Patient", "name", "Patient.name", "HumanName", "Patient"},
      {"Patient", "contained", "Patient.contained", "Resource", "Patient"},
      {"Patient", "id", "Patient.id", "id", "Patient"},
      // Inherited elements are in the snapshot with the resource's own path.
      {"Patient", "meta", "Patient.meta", "Meta", "Patient"},
      {"Patient", "resourceType", std::nullopt, "", ""},
      {"Patient", "Name", std::nullopt, "", ""},
      {"Extension", "valueHumanName", "Extension.value[x]", "HumanName", "Extension"},
      {"Extension", "valueUri", "Extension.value[x]", "uri", "Extension"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.parent_type) + " / " + std::string(c.name));
    std::optional<ElementRef> root = registry().Root(c.parent_type);
    ASSERT_TRUE(root.has_value());
    std::optional<ElementRef> child = registry().ResolveChild(*root, c.name);
    ASSERT_EQ(child.has_value(), c.path.has_value());
    if (!child) continue;
    EXPECT_EQ(child->element->path, *c.path);
    EXPECT_EQ(child->type_code, c.type_code);
    EXPECT_EQ(child->owner->info().type, c.owner);
  }
}

TEST_F(TypeDefinitionTest, ChildrenOfADataTypeElement) {
  Registry::Children name = registry().ChildrenOf(Ref("Patient", "Patient.name"));
  EXPECT_EQ(name.owner, registry().Type("HumanName"));
  EXPECT_EQ(Names(name), (std::vector<std::string>{"id", "extension", "use", "text", "family",
                                                   "given", "prefix", "suffix", "period"}));

  // The same through a backbone element.
  Registry::Children contact_name = registry().ChildrenOf(Ref("Patient", "Patient.contact.name"));
  EXPECT_EQ(contact_name.owner, registry().Type("HumanName"));
  EXPECT_EQ(contact_name.indices, name.indices);

  // A backbone element's children are its own.
  Registry::Children contact = registry().ChildrenOf(Ref("Patient", "Patient.contact"));
  EXPECT_EQ(contact.owner, registry().Type("Patient"));
  EXPECT_EQ(Names(contact).size(), 10u);

  // A primitive element's children are the primitive type's: id, extension and value.
  Registry::Children gender = registry().ChildrenOf(Ref("Patient", "Patient.gender"));
  EXPECT_EQ(gender.owner, registry().Type("code"));
  EXPECT_EQ(Names(gender), (std::vector<std::string>{"id", "extension", "value"}));

  // A choice resolved to a data type.
  std::optional<ElementRef> quantity =
      registry().ResolveChild(*registry().Root("Observation"), "valueQuantity");
  ASSERT_TRUE(quantity.has_value());
  EXPECT_EQ(Names(registry().ChildrenOf(*quantity)),
            (std::vector<std::string>{"id", "extension", "value", "comparator", "unit", "system",
                                      "code"}));
  std::optional<ElementRef> given = registry().ResolveChild(*quantity, "comparator");
  ASSERT_TRUE(given.has_value());
  EXPECT_EQ(given->element->path, "Quantity.comparator");
  EXPECT_EQ(given->owner, registry().Type("Quantity"));

  // An unknown type code has no children.
  ElementRef unknown = Ref("Patient", "Patient.name");
  unknown.type_code = "NoSuchType";
  EXPECT_TRUE(registry().ChildrenOf(unknown).indices->empty());
}

TEST_F(TypeDefinitionTest, IsPrimitive) {
  for (std::string_view type :
       {"boolean",      "integer",  "string",      "decimal",     "uri",  "url",  "canonical",
        "base64Binary", "instant",  "date",        "dateTime",    "time", "code", "oid",
        "id",           "markdown", "unsignedInt", "positiveInt", "uuid", "xhtml"}) {
    EXPECT_TRUE(registry().IsPrimitive(type)) << type;
  }
  for (std::string_view type :
       {"HumanName", "Quantity", "BackboneElement", "Element", "Extension", "Patient", "Resource",
        "", "String", "DateTime", "http://hl7.org/fhirpath/System.String", "Foo"}) {
    EXPECT_FALSE(registry().IsPrimitive(type)) << type;
  }
  EXPECT_FALSE(registry().Root("Foo").has_value());
  EXPECT_EQ(registry().Type("patient"), nullptr);
}

// ---- FromStructureDefinition on hand-written input ----

constexpr std::string_view kThing = R"json({
  "resourceType": "StructureDefinition", "url": "http://example.org/StructureDefinition/Thing",
  "kind": "resource", "abstract": false, "type": "Thing",
  "baseDefinition": "http://hl7.org/fhir/StructureDefinition/DomainResource",
  "snapshot": {"element": [
    {"path": "Thing", "min": 0, "max": "*"},
    {"path": "Thing.id", "min": 0, "max": "1", "type": [{"code": "http://hl7.org/fhirpath/System.String"}]},
    {"path": "Thing.flag", "min": 0, "max": "1", "type": [{"code": "http://hl7.org/fhirpath/System.Boolean"}]},
    {"path": "Thing.tag", "min": 0, "max": "3", "base": {"path": "Thing.tag", "min": 0, "max": "*"},
     "type": [{"code": "string"}]},
    {"path": "Thing.tag", "sliceName": "ignored", "min": 1, "max": "1", "type": [{"code": "string"}]},
    {"path": "Thing.amount[x]", "min": 1, "max": "1", "type": [{"code": "Quantity"}, {"code": "string"}]},
    {"path": "Thing.owner", "min": 0, "max": "1",
     "type": [{"code": "Reference", "targetProfile": ["http://hl7.org/fhir/StructureDefinition/Patient"]}]},
    {"path": "Thing.part", "min": 0, "max": "*", "type": [{"code": "BackboneElement"}],
     "constraint": [{"key": "thg-1", "severity": "warning", "human": "h", "expression": "name.exists()"},
                    {"key": "thg-2", "severity": "error", "human": "no expression"}]},
    {"path": "Thing.part.name", "min": 1, "max": "1", "type": [{"code": "code"}],
     "binding": {"strength": "required", "valueSet": "http://example.org/ValueSet/names|1.2"}},
    {"path": "Thing.part.part", "min": 0, "max": "*", "contentReference": "#Thing.part"}
  ]}})json";

Result<TypeDefinition> FromText(std::string_view text) {
  Result<json::Value> parsed = json::Parse(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  if (!parsed.ok()) return parsed.status();
  return TypeDefinition::FromStructureDefinition(*parsed);
}

TEST(TypeDefinitionFromJsonTest, IndexesASnapshot) {
  Result<TypeDefinition> def = FromText(kThing);
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  EXPECT_EQ(def->info().type, "Thing");
  EXPECT_EQ(def->info().url, "http://example.org/StructureDefinition/Thing");
  EXPECT_EQ(def->info().kind, StructureKind::kResource);
  EXPECT_FALSE(def->info().is_abstract);
  EXPECT_EQ(def->info().base_type, "DomainResource");
  ASSERT_EQ(def->elements().size(), 9u);  // the slice is left out

  const ElementDefinition* id = def->FindPath("Thing.id");
  ASSERT_NE(id, nullptr);
  EXPECT_EQ(id->type_codes, std::vector<std::string>{"id"});
  const ElementDefinition* flag = def->FindPath("Thing.flag");
  ASSERT_NE(flag, nullptr);
  EXPECT_EQ(flag->type_codes, std::vector<std::string>{"boolean"});

  const ElementDefinition* tag = def->FindPath("Thing.tag");
  ASSERT_NE(tag, nullptr);
  EXPECT_EQ(tag->min, 0u);
  EXPECT_EQ(tag->max, 3u);
  EXPECT_EQ(tag->base_max, kUnbounded);
  EXPECT_TRUE(tag->IsArray());

  const ElementDefinition* amount = def->FindPath("Thing.amount[x]");
  ASSERT_NE(amount, nullptr);
  EXPECT_TRUE(amount->is_choice);
  EXPECT_EQ(amount->name, "amount");
  EXPECT_EQ(amount->min, 1u);
  EXPECT_FALSE(amount->IsArray());
  EXPECT_EQ(amount->type_codes, (std::vector<std::string>{"Quantity", "string"}));

  const ElementDefinition* owner = def->FindPath("Thing.owner");
  ASSERT_NE(owner, nullptr);
  EXPECT_EQ(owner->target_profiles,
            std::vector<std::string>{"http://hl7.org/fhir/StructureDefinition/Patient"});

  const ElementDefinition* part = def->FindPath("Thing.part");
  ASSERT_NE(part, nullptr);
  ASSERT_EQ(part->constraints.size(), 1u);  // a constraint without an expression is dropped
  EXPECT_EQ(part->constraints[0].key, "thg-1");
  EXPECT_FALSE(part->constraints[0].is_error);

  const ElementDefinition* name = def->FindPath("Thing.part.name");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->binding, BindingStrength::kRequired);
  EXPECT_EQ(name->value_set, "http://example.org/ValueSet/names");

  const ElementDefinition* nested = def->FindPath("Thing.part.part");
  ASSERT_NE(nested, nullptr);
  EXPECT_EQ(&def->element(static_cast<std::uint32_t>(nested->content_reference)), part);
  EXPECT_EQ(&def->ChildIndices(*nested), &part->children);

  std::vector<std::string> root_children;
  for (std::uint32_t i : def->ChildIndices(def->root()))
    root_children.push_back(def->element(i).name);
  EXPECT_EQ(root_children,
            (std::vector<std::string>{"id", "flag", "tag", "amount", "owner", "part"}));
}

TEST(TypeDefinitionFromJsonTest, Errors) {
  struct Case {
    std::string_view name;
    std::string text;
    std::string_view message_part;
  };
  const std::string header =
      R"({"url":"http://example.org/T","kind":"complex-type","type":"T","snapshot":{"element":)";
  const Case cases[] = {
      {"no type", R"({"url":"u","kind":"resource","snapshot":{"element":[{"path":"T"}]}})",
       "without type"},
      {"no url", R"({"type":"T","kind":"resource","snapshot":{"element":[{"path":"T"}]}})",
       "without type"},
      {"unknown kind",
       R"({"url":"u","type":"T","kind":"widget","snapshot":{"element":[{"path":"T"}]}})",
       "without type"},
      {"no snapshot", R"({"url":"http://example.org/T","kind":"resource","type":"T"})",
       "has no snapshot"},
      {"empty snapshot", header + "[]}}", "has no snapshot"},
      {"an element without its parent", header + R"([{"path":"T"},{"path":"T.a.b"}]}})",
       "no parent element"},
      {"a contentReference that does not resolve",
       header + R"([{"path":"T"},{"path":"T.a","contentReference":"#T.nope"}]}})",
       "does not resolve"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<TypeDefinition> def = FromText(c.text);
    ASSERT_FALSE(def.ok());
    EXPECT_NE(def.status().ToString().find(c.message_part), std::string::npos)
        << def.status().ToString();
  }
}

}  // namespace
}  // namespace schakel::fhir::definitions
