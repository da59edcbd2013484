// WriteResource: exact output for each rule of https://hl7.org/fhir/R4/xml.html, definition
// order whatever the JSON order, pretty and compact forms, escaping, and what it refuses.
#include "fhir/xml/writer.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "fhir/xml/reader.h"
#include "tests/unit/fhir/xml/xml_fixture.h"

namespace schakel::fhir::xml {
namespace {

class XmlWriterTest : public XmlTest {};

constexpr std::string_view kDeclaration = R"(<?xml version="1.0" encoding="UTF-8"?>)";

std::string Document(std::string_view root_and_body) {
  return std::string(kDeclaration) + std::string(root_and_body);
}

struct WriteCase {
  std::string_view name;
  std::string_view json;
  std::string xml;  // compact, without the declaration
};

TEST_F(XmlWriterTest, WritesEachRule) {
  const WriteCase cases[] = {
      {"elements in definition order whatever the JSON order",
       R"({"birthDate":"1970-01-01","name":[{"given":["J"],"family":"Doe"}],"active":true,
           "id":"p1","gender":"male","resourceType":"Patient"})",
       R"(<Patient xmlns="http://hl7.org/fhir"><id value="p1"/><active value="true"/><name>)"
       R"(<family value="Doe"/><given value="J"/></name><gender value="male"/>)"
       R"(<birthDate value="1970-01-01"/></Patient>)"},
      {"primitive with id and extension; extension url and element id as attributes",
       R"({"resourceType":"Patient","_birthDate":{"extension":[{"valueTime":"12:00:00",
           "url":"http://example.org/time","id":"x1"}],"id":"b1"},"birthDate":"1970-01-01"})",
       R"(<Patient xmlns="http://hl7.org/fhir"><birthDate id="b1" value="1970-01-01">)"
       R"(<extension id="x1" url="http://example.org/time"><valueTime value="12:00:00"/>)"
       R"(</extension></birthDate></Patient>)"},
      {"repeating primitive with partial extensions",
       R"({"resourceType":"Patient","name":[{"given":["A",null,"C"],"_given":[null,{"id":"g2"},
           null]}]})",
       R"(<Patient xmlns="http://hl7.org/fhir"><name><given value="A"/><given id="g2"/>)"
       R"(<given value="C"/></name></Patient>)"},
      {"repeating primitive with only the companion array",
       R"({"resourceType":"Patient","name":[{"_given":[{"id":"a"},{"id":"b"}]}]})",
       R"(<Patient xmlns="http://hl7.org/fhir"><name><given id="a"/><given id="b"/></name>)"
       R"(</Patient>)"},
      {"choice types by their full name; numbers keep their text",
       R"({"resourceType":"Observation","valueQuantity":{"unit":"kg","value":1.50},
           "status":"final","code":{"text":"t"},"effectiveDateTime":"2020"})",
       R"(<Observation xmlns="http://hl7.org/fhir"><status value="final"/><code>)"
       R"(<text value="t"/></code><effectiveDateTime value="2020"/><valueQuantity>)"
       R"(<value value="1.50"/><unit value="kg"/></valueQuantity></Observation>)"},
      {"exponent and precision",
       R"({"resourceType":"Observation","status":"final","code":{"text":"t"},
           "valueQuantity":{"value":1.0e3},"referenceRange":[{"low":{"value":-0.000}}]})",
       R"(<Observation xmlns="http://hl7.org/fhir"><status value="final"/><code>)"
       R"(<text value="t"/></code><valueQuantity><value value="1.0e3"/></valueQuantity>)"
       R"(<referenceRange><low><value value="-0.000"/></low></referenceRange></Observation>)"},
      {"contained resources without a second namespace declaration",
       R"({"resourceType":"Patient","managingOrganization":{"reference":"#o1"},
           "contained":[{"name":"Org","resourceType":"Organization","id":"o1"}]})",
       R"(<Patient xmlns="http://hl7.org/fhir"><contained><Organization><id value="o1"/>)"
       R"(<name value="Org"/></Organization></contained><managingOrganization>)"
       R"(<reference value="#o1"/></managingOrganization></Patient>)"},
      {"Bundle.entry.resource",
       R"({"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":
           "Patient","active":false},"fullUrl":"urn:uuid:1"}]})",
       R"(<Bundle xmlns="http://hl7.org/fhir"><type value="collection"/><entry>)"
       R"(<fullUrl value="urn:uuid:1"/><resource><Patient><active value="false"/></Patient>)"
       R"(</resource></entry></Bundle>)"},
      {"narrative verbatim, after status",
       R"({"resourceType":"Patient","text":{"div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">)"
       R"(a &amp; <b>b</b>\n</div>","status":"generated"}})",
       "<Patient xmlns=\"http://hl7.org/fhir\"><text><status value=\"generated\"/>"
       "<div xmlns=\"http://www.w3.org/1999/xhtml\">a &amp; <b>b</b>\n</div></text></Patient>"},
      {"a narrative without the XHTML namespace declaration gets one",
       R"({"resourceType":"Patient","text":{"status":"generated","div":"<div><p>x</p></div>"}})",
       R"(<Patient xmlns="http://hl7.org/fhir"><text><status value="generated"/>)"
       R"(<div xmlns="http://www.w3.org/1999/xhtml"><p>x</p></div></text></Patient>)"},
      {"attribute values escaped so that they read back exactly",
       R"({"resourceType":"Patient","name":[{"text":"a&b <c> \"d\" 'e'\tf\ng\r\nh é 😀"}]})",
       "<Patient xmlns=\"http://hl7.org/fhir\"><name><text value=\"a&amp;b &lt;c&gt; "
       "&quot;d&quot; 'e'&#9;f&#10;g&#13;&#10;h é 😀\"/></name></Patient>"},
      {"empty arrays write nothing", R"({"resourceType":"Patient","name":[],"active":true})",
       R"(<Patient xmlns="http://hl7.org/fhir"><active value="true"/></Patient>)"},
      {"a resource with nothing but its type", R"({"resourceType":"Patient"})",
       R"(<Patient xmlns="http://hl7.org/fhir"/>)"},
  };
  for (const WriteCase& c : cases) {
    SCOPED_TRACE(c.name);
    const json::Value resource = Json(c.json);
    Result<std::string> written = WriteResource(resource, registry());
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    EXPECT_EQ(*written, Document(c.xml));
    // Reading it back gives the same document (the namespace a narrative gets aside).
    Result<json::Value> read = ParseResource(*written, registry());
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    if (c.name.find("namespace declaration gets one") == std::string_view::npos &&
        c.name.find("empty arrays") == std::string_view::npos) {
      EXPECT_EQ(Difference(resource, *read), "");
    }
  }
}

TEST_F(XmlWriterTest, PrettyOutputIsIndentedCompactOutputIsNot) {
  const json::Value patient = Json(
      R"({"resourceType":"Patient","id":"p1","text":{"status":"generated",
          "div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">\n  <p>x</p>\n</div>"},
          "contained":[{"resourceType":"Organization","id":"o"}],
          "name":[{"family":"Doe","given":["J","K"]}]})");
  Result<std::string> pretty = WriteResource(patient, registry(), /*pretty=*/true);
  ASSERT_TRUE(pretty.ok()) << pretty.status().ToString();
  EXPECT_EQ(*pretty,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<Patient xmlns=\"http://hl7.org/fhir\">\n"
            "  <id value=\"p1\"/>\n"
            "  <text>\n"
            "    <status value=\"generated\"/>\n"
            "    <div xmlns=\"http://www.w3.org/1999/xhtml\">\n  <p>x</p>\n</div>\n"
            "  </text>\n"
            "  <contained>\n"
            "    <Organization>\n"
            "      <id value=\"o\"/>\n"
            "    </Organization>\n"
            "  </contained>\n"
            "  <name>\n"
            "    <family value=\"Doe\"/>\n"
            "    <given value=\"J\"/>\n"
            "    <given value=\"K\"/>\n"
            "  </name>\n"
            "</Patient>\n");

  Result<std::string> compact = WriteResource(patient, registry());
  ASSERT_TRUE(compact.ok()) << compact.status().ToString();
  EXPECT_EQ(*compact,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Patient xmlns=\"http://hl7.org/fhir\">"
            "<id value=\"p1\"/><text><status value=\"generated\"/>"
            "<div xmlns=\"http://www.w3.org/1999/xhtml\">\n  <p>x</p>\n</div></text><contained>"
            "<Organization><id value=\"o\"/></Organization></contained><name>"
            "<family value=\"Doe\"/><given value=\"J\"/><given value=\"K\"/></name></Patient>");

  for (const std::string* xml : {&*pretty, &*compact}) {
    Result<json::Value> read = ParseResource(*xml, registry());
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_EQ(Difference(patient, *read), "");
  }
}

struct WriteErrorCase {
  std::string_view name;
  std::string_view json;
  std::string_view expression;
  std::string_view message;
};

TEST_F(XmlWriterTest, RefusesWhatXmlCannotCarry) {
  const WriteErrorCase cases[] = {
      {"not an object", R"(["Patient"])", "", "resourceType"},
      {"no resourceType", R"({"id":"x"})", "", "resourceType"},
      {"unknown resource type", R"({"resourceType":"Patent"})", "",
       "'Patent' is not a FHIR R4 resource type"},
      {"abstract resource type", R"({"resourceType":"DomainResource"})", "",
       "not a FHIR R4 resource type"},
      {"unknown element", R"({"resourceType":"Patient","nickname":"x"})", "Patient.nickname",
       "unknown element 'nickname'"},
      {"unknown element in a data type",
       R"({"resourceType":"Patient","name":[{"family":"x"},{"nick":"y"}]})", "Patient.name[1].nick",
       "unknown element 'nick'"},
      {"unknown element in a contained resource",
       R"({"resourceType":"Patient","contained":[{"resourceType":"Organization","nme":"x"}]})",
       "Patient.contained[0].nme", "unknown element"},
      {"unknown resource type in a contained resource",
       R"({"resourceType":"Patient","contained":[{"resourceType":"Foo"}]})", "Patient.contained[0]",
       "'Foo' is not a FHIR R4 resource type"},
      {"companion of a complex element", R"({"resourceType":"Patient","_name":[{"id":"x"}]})",
       "Patient._name", "only allowed for primitive elements"},
      {"unknown member in a companion", R"({"resourceType":"Patient","_active":{"value":true}})",
       "Patient.active.value", "unknown element 'value'"},
      {"string for a boolean", R"({"resourceType":"Patient","active":"true"})", "Patient.active",
       "a boolean must be a JSON boolean, not a JSON string"},
      {"string for a decimal", R"({"resourceType":"Observation","valueQuantity":{"value":"1.5"}})",
       "Observation.valueQuantity.value", "must be a JSON number"},
      {"number for a string", R"({"resourceType":"Patient","gender":1})", "Patient.gender",
       "must be a JSON string"},
      {"object for a primitive", R"({"resourceType":"Patient","birthDate":{}})",
       "Patient.birthDate", "must be a JSON string, not a JSON object"},
      {"null for a single primitive", R"({"resourceType":"Patient","active":null})",
       "Patient.active", "neither a value nor extensions"},
      {"null on both sides", R"({"resourceType":"Patient","name":[{"given":["a",null]}]})",
       "Patient.name[0].given[1]", "neither"},
      {"parallel arrays of different lengths",
       R"({"resourceType":"Patient","name":[{"given":["a","b"],"_given":[null]}]})",
       "Patient.name[0].given", "same length"},
      {"array for a single element", R"({"resourceType":"Patient","gender":["male"]})",
       "Patient.gender", "does not repeat"},
      {"object for a repeating element", R"({"resourceType":"Patient","name":{"family":"x"}})",
       "Patient.name", "must be a JSON array"},
      {"string for a complex element", R"({"resourceType":"Patient","maritalStatus":"M"})",
       "Patient.maritalStatus", "expected a JSON object"},
      {"empty object", R"({"resourceType":"Patient","maritalStatus":{}})", "Patient.maritalStatus",
       "empty object"},
      {"two types of one choice",
       R"({"resourceType":"Patient","deceasedBoolean":true,"deceasedDateTime":"2020"})",
       "Patient.deceasedDateTime", "only one type of deceased[x]"},
      {"element id that is not a string", R"({"resourceType":"Patient","name":[{"id":7}]})",
       "Patient.name[0].id", "expected a JSON string"},
      {"control character", R"({"resourceType":"Patient","name":[{"text":"a\u0001b"}]})",
       "Patient.name[0].text", "U+0001 cannot be represented in XML"},
      {"noncharacter U+FFFF", R"({"resourceType":"Patient","name":[{"text":"a\uffffb"}]})",
       "Patient.name[0].text", "U+FFFF"},
      {"narrative that is not XML",
       R"({"resourceType":"Patient","text":{"status":"generated","div":"<div>a<b></div>"}})",
       "Patient.text.div", "not a well-formed XHTML <div>"},
      {"narrative that is not a div",
       R"({"resourceType":"Patient","text":{"status":"generated",)"
       R"("div":"<p xmlns=\"http://www.w3.org/1999/xhtml\">x</p>"}})",
       "Patient.text.div", "must be a <div>"},
      {"narrative in another namespace",
       R"({"resourceType":"Patient","text":{"status":"generated",)"
       R"("div":"<div xmlns=\"urn:x\">x</div>"}})",
       "Patient.text.div", "XHTML"},
      {"narrative with a DOCTYPE",
       R"({"resourceType":"Patient","text":{"status":"generated",)"
       R"("div":"<!DOCTYPE div [<!ENTITY e \"x\">]><div xmlns=\"http://www.w3.org/1999/xhtml\">&e;</div>"}})",
       "Patient.text.div", "DOCTYPE"},
      {"narrative with an extension",
       R"({"resourceType":"Patient","text":{"status":"generated",)"
       R"("div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>","_div":{"id":"d"}}})",
       "Patient.text.div", "cannot have an id or extensions"},
      {"narrative that is not a string",
       R"({"resourceType":"Patient","text":{"status":"generated","div":true}})", "Patient.text.div",
       "must be a JSON string"},
  };
  for (const WriteErrorCase& c : cases) {
    SCOPED_TRACE(c.name);
    Result<std::string> written = WriteResource(Json(c.json), registry());
    ASSERT_FALSE(written.ok()) << *written;
    EXPECT_EQ(written.status().code(), Code::kUnprocessable) << written.status().ToString();
    ASSERT_FALSE(written.status().issues().empty());
    EXPECT_EQ(written.status().issues()[0].expression, c.expression) << written.status().ToString();
    EXPECT_NE(written.status().ToString().find(c.message), std::string::npos)
        << written.status().ToString();
  }
}

TEST_F(XmlWriterTest, InvalidUtf8IsRefused) {
  json::Value patient = json::Value::Object();
  patient.Set("resourceType", json::Value::String("Patient"));
  json::Value name = json::Value::Object();
  name.Set("text", json::Value::String("a\xC3("));
  json::Value names = json::Value::Array();
  names.Push(std::move(name));
  patient.Set("name", std::move(names));
  Result<std::string> written = WriteResource(patient, registry());
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.status().issues()[0].expression, "Patient.name[0].text");
  EXPECT_NE(written.status().ToString().find("not valid UTF-8"), std::string::npos);
}

}  // namespace
}  // namespace schakel::fhir::xml
