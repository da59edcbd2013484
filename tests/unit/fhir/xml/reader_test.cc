// ParseResource: one table per rule of https://hl7.org/fhir/R4/xml.html, one for what must be
// refused, and the hostile documents (XXE, billion laughs, deep nesting).
#include "fhir/xml/reader.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "fhir/json/write.h"
#include "fhir/xml/writer.h"
#include "tests/unit/fhir/xml/xml_fixture.h"

namespace schakel::fhir::xml {
namespace {

class XmlReaderTest : public XmlTest {};

constexpr std::string_view kOpen = R"(<Patient xmlns="http://hl7.org/fhir">)";

std::string Patient(std::string_view body) {
  return std::string(kOpen) + std::string(body) + "</Patient>";
}

struct ReadCase {
  std::string_view name;
  std::string xml;
  std::string_view json;  // the expected FHIR JSON
};

TEST_F(XmlReaderTest, ReadsEachRuleAsFhirJson) {
  const ReadCase cases[] = {
      {"primitive with value only", Patient(R"(<birthDate value="1970-01-01"/>)"),
       R"({"resourceType":"Patient","birthDate":"1970-01-01"})"},
      {"primitive with id and extension",
       Patient(R"(<birthDate id="b1" value="1970-01-01">)"
               R"(<extension url="http://example.org/time"><valueTime value="12:00:00"/>)"
               R"(</extension></birthDate>)"),
       R"({"resourceType":"Patient","birthDate":"1970-01-01","_birthDate":{"id":"b1",
           "extension":[{"url":"http://example.org/time","valueTime":"12:00:00"}]}})"},
      {"primitive with an extension and no value",
       Patient(R"(<birthDate><extension url="http://example.org/u">)"
               R"(<valueCode value="unknown"/></extension></birthDate>)"),
       R"({"resourceType":"Patient","_birthDate":{"extension":[{"url":"http://example.org/u",
           "valueCode":"unknown"}]}})"},
      {"resource id with an extension",
       Patient(R"(<id value="p1"><extension url="http://example.org/e">)"
               R"(<valueBoolean value="true"/></extension></id>)"),
       R"({"resourceType":"Patient","id":"p1","_id":{"extension":[{"url":"http://example.org/e",
           "valueBoolean":true}]}})"},
      {"repeating primitive with partial extensions: parallel arrays with nulls",
       Patient(R"(<name><given value="A"/><given id="g2"><extension url="http://example.org/e">)"
               R"(<valueString value="x"/></extension></given><given value="C"/>)"
               R"(<given id="g4" value="D"/></name>)"),
       R"({"resourceType":"Patient","name":[{"given":["A",null,"C","D"],"_given":[null,
           {"id":"g2","extension":[{"url":"http://example.org/e","valueString":"x"}]},null,
           {"id":"g4"}]}]})"},
      {"repeating primitive without extensions has no companion array",
       Patient(R"(<name><given value="A"/><given value="B"/></name>)"),
       R"({"resourceType":"Patient","name":[{"given":["A","B"]}]})"},
      {"repeating primitive with only extensions has no value array",
       Patient(R"(<name><given id="a"/><given id="b"/></name>)"),
       R"({"resourceType":"Patient","name":[{"_given":[{"id":"a"},{"id":"b"}]}]})"},
      {"element id and extension url are attributes; repeating elements become arrays",
       Patient(R"(<extension url="http://example.org/a"><valueString value="1"/></extension>)"
               R"(<extension id="e2" url="http://example.org/b"><valueInteger value="2"/>)"
               R"(</extension><name id="n1"><family value="Doe"/></name>)"),
       R"({"resourceType":"Patient","extension":[{"url":"http://example.org/a","valueString":"1"},
           {"id":"e2","url":"http://example.org/b","valueInteger":2}],
           "name":[{"id":"n1","family":"Doe"}]})"},
      {"choice types keep their full name",
       R"(<Observation xmlns="http://hl7.org/fhir"><status value="final"/><code><text value="t"/>)"
       R"(</code><effectiveDateTime value="2020-01-02"/><valueQuantity><value value="1.50"/>)"
       R"(<unit value="kg"/></valueQuantity></Observation>)",
       R"({"resourceType":"Observation","status":"final","code":{"text":"t"},
           "effectiveDateTime":"2020-01-02","valueQuantity":{"value":1.50,"unit":"kg"}})"},
      {"JSON kinds: boolean, integer, positiveInt, unsignedInt, decimal, string-like",
       R"(<Observation xmlns="http://hl7.org/fhir"><status value="final"/><code><text value="t"/>)"
       R"(</code><valueSampledData><origin><value value="0"/></origin><period value="10.0"/>)"
       R"(<factor value="1.0e3"/><dimensions value="1"/><data value="1 2 E"/></valueSampledData>)"
       R"(<component><code><text value="c"/></code><valueBoolean value="false"/></component>)"
       R"(<component><code><text value="d"/></code><valueInteger value="-7"/></component>)"
       R"(</Observation>)",
       R"({"resourceType":"Observation","status":"final","code":{"text":"t"},
           "valueSampledData":{"origin":{"value":0},"period":10.0,"factor":1.0e3,"dimensions":1,
           "data":"1 2 E"},"component":[{"code":{"text":"c"},"valueBoolean":false},
           {"code":{"text":"d"},"valueInteger":-7}]})"},
      {"decimal precision is kept exactly",
       R"(<Observation xmlns="http://hl7.org/fhir"><status value="final"/><code><text value="t"/>)"
       R"(</code><valueQuantity><value value="0.1000000000000000055511151231257827"/>)"
       R"(</valueQuantity></Observation>)",
       R"({"resourceType":"Observation","status":"final","code":{"text":"t"},
           "valueQuantity":{"value":0.1000000000000000055511151231257827}})"},
      {"contained resources",
       Patient(R"(<contained><Organization><id value="o1"/><name value="Org"/></Organization>)"
               R"(</contained><contained><Practitioner><id value="p1"/></Practitioner></contained>)"
               R"(<managingOrganization><reference value="#o1"/></managingOrganization>)"),
       R"({"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o1",
           "name":"Org"},{"resourceType":"Practitioner","id":"p1"}],
           "managingOrganization":{"reference":"#o1"}})"},
      {"Bundle.entry.resource and Bundle.entry.response.outcome",
       R"(<Bundle xmlns="http://hl7.org/fhir"><type value="transaction-response"/><entry>)"
       R"(<fullUrl value="urn:uuid:1"/><resource><Patient><active value="true"/></Patient>)"
       R"(</resource><response><status value="201 Created"/><outcome><OperationOutcome><issue>)"
       R"(<severity value="information"/><code value="informational"/></issue>)"
       R"(</OperationOutcome></outcome></response></entry></Bundle>)",
       R"({"resourceType":"Bundle","type":"transaction-response","entry":[{"fullUrl":"urn:uuid:1",
           "resource":{"resourceType":"Patient","active":true},"response":{"status":"201 Created",
           "outcome":{"resourceType":"OperationOutcome","issue":[{"severity":"information",
           "code":"informational"}]}}}]})"},
      {"Parameters.parameter.resource",
       R"(<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="p"/><resource>)"
       R"(<Patient><id value="x"/></Patient></resource></parameter><parameter>)"
       R"(<name value="n"/><valueDecimal value="3.14"/></parameter></Parameters>)",
       R"({"resourceType":"Parameters","parameter":[{"name":"p","resource":{"resourceType":
           "Patient","id":"x"}},{"name":"n","valueDecimal":3.14}]})"},
      {"contentReference: Questionnaire.item.item",
       R"(<Questionnaire xmlns="http://hl7.org/fhir"><status value="draft"/><item>)"
       R"(<linkId value="1"/><type value="group"/><item><linkId value="1.1"/>)"
       R"(<type value="string"/><item><linkId value="1.1.1"/><type value="display"/></item>)"
       R"(</item></item></Questionnaire>)",
       R"({"resourceType":"Questionnaire","status":"draft","item":[{"linkId":"1","type":"group",
           "item":[{"linkId":"1.1","type":"string","item":[{"linkId":"1.1.1",
           "type":"display"}]}]}]})"},
      {"attribute values are unescaped and keep their whitespace",
       Patient(
           R"(<name><text value="  a &amp; b &lt;c&gt; &quot;d&quot; &#38;#38; e&#10;f&#9;g&#13;"/>)"
           R"(</name>)"),
       R"({"resourceType":"Patient","name":[{"text":"  a & b <c> \"d\" &#38; e\nf\tg\r"}]})"},
      {"comments, processing instructions, whitespace and xsi attributes are ignored",
       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- before -->\n"
       "<Patient xmlns=\"http://hl7.org/fhir\" "
       "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
       "xsi:schemaLocation=\"http://hl7.org/fhir ../../schema/patient.xsd\">\n"
       "  <!-- a comment -->\n  <?pi data?>\n  <active value=\"true\"/>\n</Patient>\n<!-- after "
       "-->",
       R"({"resourceType":"Patient","active":true})"},
      {"prefixed FHIR elements",
       R"(<f:Patient xmlns:f="http://hl7.org/fhir"><f:gender value="other"/></f:Patient>)",
       R"({"resourceType":"Patient","gender":"other"})"},
      {"an encoding declaration other than UTF-8 is ignored for ASCII content",
       R"(<?xml version="1.0" encoding="ISO-8859-1"?><Patient xmlns="http://hl7.org/fhir">)"
       R"(<active value="true"/></Patient>)",
       R"({"resourceType":"Patient","active":true})"},
      {"UTF-8 with a byte order mark",
       "\xEF\xBB\xBF" + Patient("<name><family value=\"Müller\"/></name>"),
       R"({"resourceType":"Patient","name":[{"family":"Müller"}]})"},
  };
  for (const ReadCase& c : cases) {
    SCOPED_TRACE(c.name);
    Result<json::Value> read = ParseResource(c.xml, registry());
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_EQ(Difference(*read, Json(c.json)), "") << json::Serialize(*read);
    // And the writer gives back XML that reads the same.
    Result<std::string> written = WriteResource(*read, registry());
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    Result<json::Value> again = ParseResource(*written, registry());
    ASSERT_TRUE(again.ok()) << again.status().ToString() << "\n" << *written;
    EXPECT_EQ(Difference(*read, *again), "") << *written;
  }
}

TEST_F(XmlReaderTest, MembersComeInDocumentOrderAfterResourceType) {
  Result<json::Value> read =
      ParseResource(Patient(R"(<id value="p"/><active value="true"/><name id="n">)"
                            R"(<family value="F"/></name><birthDate value="2000"/>)"),
                    registry());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(json::Serialize(*read),
            R"({"resourceType":"Patient","id":"p","active":true,"name":[{"id":"n",)"
            R"("family":"F"}],"birthDate":"2000"})");
}

TEST_F(XmlReaderTest, NarrativeIsKeptByteForByte) {
  const std::string_view div =
      "<div xmlns=\"http://www.w3.org/1999/xhtml\"  class='c'>\n\t<p>a &amp; b &lt; &#x27;"
      "&#233; é</p><br/><br></br>\r\n  <!-- note --><![CDATA[x<y]]><?pi x?>"
      "<p style=\"x\">  spaced  </p>\n</div>";
  const std::string xml =
      Patient(R"(<text><status value="generated"/>)" + std::string(div) + "</text>");
  Result<json::Value> read = ParseResource(xml, registry());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  const std::string* text = read->Find("text")->FindString("div");
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(*text, div);

  // The writer puts it back verbatim.
  Result<std::string> written = WriteResource(*read, registry(), /*pretty=*/true);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_NE(written->find(div), std::string::npos) << *written;
}

TEST_F(XmlReaderTest, NarrativeGetsTheNamespaceDeclarationsItInherits) {
  struct Case {
    std::string_view name;
    std::string xml;
    std::string_view div;
  };
  const Case cases[] = {
      {"default XHTML namespace declared on the root",
       R"(<f:Patient xmlns:f="http://hl7.org/fhir" xmlns="http://www.w3.org/1999/xhtml">)"
       R"(<f:text><f:status value="generated"/><div><p>x</p></div></f:text></f:Patient>)",
       R"(<div xmlns="http://www.w3.org/1999/xhtml"><p>x</p></div>)"},
      {"a prefix the narrative uses, declared on the root",
       R"(<Patient xmlns="http://hl7.org/fhir" xmlns:l="http://www.w3.org/1999/xlink"><text>)"
       R"(<status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml"><a l:href="#x">)"
       R"(y</a></div></text></Patient>)",
       R"(<div xmlns:l="http://www.w3.org/1999/xlink" xmlns="http://www.w3.org/1999/xhtml">)"
       R"(<a l:href="#x">y</a></div>)"},
      {"prefixes declared inside the narrative need nothing",
       R"(<Patient xmlns="http://hl7.org/fhir" xmlns:l="urn:outer"><text>)"
       R"(<status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml"><a )"
       R"(xmlns:l="http://www.w3.org/1999/xlink" l:href="#x" xml:lang="en">y</a></div></text>)"
       R"(</Patient>)",
       R"(<div xmlns="http://www.w3.org/1999/xhtml"><a xmlns:l="http://www.w3.org/1999/xlink" )"
       R"(l:href="#x" xml:lang="en">y</a></div>)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Result<json::Value> read = ParseResource(c.xml, registry());
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    const std::string* div = read->Find("text")->FindString("div");
    ASSERT_NE(div, nullptr);
    EXPECT_EQ(*div, c.div);
  }
}

struct ErrorCase {
  std::string_view name;
  std::string xml;
  Code code;
  std::string_view expression;  // for kUnprocessable
  std::string_view message;     // a part of the message
};

void ExpectErrors(const definitions::Registry& registry, const std::vector<ErrorCase>& cases,
                  const XmlLimits& limits = {}) {
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.name);
    Result<json::Value> read = ParseResource(c.xml, registry, limits);
    ASSERT_FALSE(read.ok()) << json::Serialize(*read);
    EXPECT_EQ(read.status().code(), c.code) << read.status().ToString();
    ASSERT_FALSE(read.status().issues().empty());
    EXPECT_EQ(read.status().issues()[0].expression, c.expression) << read.status().ToString();
    EXPECT_NE(read.status().ToString().find(c.message), std::string::npos)
        << read.status().ToString();
  }
}

TEST_F(XmlReaderTest, RefusesMalformedAndForeignXml) {
  ExpectErrors(
      registry(),
      {
          {"empty", "", Code::kInvalidInput, "", "empty"},
          {"only whitespace", " \n ", Code::kInvalidInput, "", "empty"},
          {"JSON, not XML", R"({"resourceType":"Patient"})", Code::kInvalidInput, "", "UTF-8"},
          {"unclosed element", Patient(R"(<name><family value="x"/>)"), Code::kInvalidInput, "",
           "malformed XML at line 1"},
          {"mismatched tags", std::string(kOpen) + "</Observation>", Code::kInvalidInput, "",
           "malformed XML"},
          {"unquoted attribute", Patient("<active value=true/>"), Code::kInvalidInput, "",
           "malformed XML"},
          {"two root elements", Patient("") + "<Patient/>", Code::kInvalidInput, "",
           "malformed XML"},
          {"undeclared entity", Patient(R"(<name><text value="&nbsp;"/></name>)"),
           Code::kInvalidInput, "", "nbsp"},
          {"undeclared namespace prefix", Patient(R"(<x:active value="true"/>)"),
           Code::kInvalidInput, "", "malformed XML"},
          {"UTF-16", std::string("\xFF\xFE<\0P\0", 6), Code::kInvalidInput, "", "UTF-8"},
          {"NUL byte", Patient(std::string("<active value=\"true\"/>\0", 23)), Code::kInvalidInput,
           "", "UTF-8"},
          {"Latin-1 bytes",
           "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" +
               Patient("<name><family value=\"M\xFCller\"/></name>"),
           Code::kInvalidInput, "", "UTF-8"},
          {"root in no namespace", "<Patient><active value=\"true\"/></Patient>",
           Code::kInvalidInput, "", "namespace (none)"},
          {"root in another namespace",
           R"(<Patient xmlns="http://hl7.org/fhir/v3"><active value="true"/></Patient>)",
           Code::kInvalidInput, "", "not FHIR XML"},
          {"root in the XHTML namespace", R"(<div xmlns="http://www.w3.org/1999/xhtml"/>)",
           Code::kInvalidInput, "", "not FHIR XML"},
      });
}

TEST_F(XmlReaderTest, RefusesWhatIsNotFhir) {
  ExpectErrors(
      registry(),
      {
          {"unknown root", R"(<Patent xmlns="http://hl7.org/fhir"/>)", Code::kUnprocessable, "",
           "'Patent' is not a FHIR R4 resource type"},
          {"abstract root", R"(<DomainResource xmlns="http://hl7.org/fhir"/>)",
           Code::kUnprocessable, "", "not a FHIR R4 resource type"},
          {"data type as root", R"(<HumanName xmlns="http://hl7.org/fhir"/>)", Code::kUnprocessable,
           "", "not a FHIR R4 resource type"},
          {"unknown element, with its line",
           std::string(kOpen) + "\n  <name>\n    <nickname value=\"x\"/>\n  </name>\n</Patient>",
           Code::kUnprocessable, "Patient.name[0].nickname", "unknown element 'nickname' (line 3)"},
          {"unknown element in a repeating primitive's position",
           Patient(R"(<name><given value="a"/><given value="b"><foo/></given></name>)"),
           Code::kUnprocessable, "Patient.name[0].given[1].foo", "unknown element 'foo'"},
          {"unknown element in a contained resource",
           Patient(R"(<contained><Organization><nme value="x"/></Organization></contained>)"),
           Code::kUnprocessable, "Patient.contained[0].nme", "unknown element"},
          {"JSON-only name", Patient(R"(<_birthDate/>)"), Code::kUnprocessable,
           "Patient._birthDate", "unknown element"},
          {"choice by its base name", Patient(R"(<deceased value="true"/>)"), Code::kUnprocessable,
           "Patient.deceased", "unknown element"},
          {"choice with a type it does not allow", Patient(R"(<deceasedString value="x"/>)"),
           Code::kUnprocessable, "Patient.deceasedString", "unknown element"},
          {"element in a foreign namespace", Patient(R"(<x:active xmlns:x="urn:x" value="1"/>)"),
           Code::kUnprocessable, "Patient.active", "not FHIR content"},
          {"unknown attribute", Patient(R"(<active value="true" valeu="false"/>)"),
           Code::kUnprocessable, "Patient.active", "unknown attribute 'valeu'"},
          {"foreign attribute", Patient(R"(<active xmlns:x="urn:x" value="true" x:y="1"/>)"),
           Code::kUnprocessable, "Patient.active", "unknown attribute '{urn:x}y'"},
          {"id attribute on a resource", R"(<Patient xmlns="http://hl7.org/fhir" id="p"/>)",
           Code::kUnprocessable, "Patient", "unknown attribute 'id'"},
          {"value attribute on a complex element", Patient(R"(<name value="x"/>)"),
           Code::kUnprocessable, "Patient.name[0]", "unknown attribute 'value'"},
          {"Element.id as an element", Patient(R"(<name><id value="x"/></name>)"),
           Code::kUnprocessable, "Patient.name[0].id", "must be an XML attribute"},
          {"attribute on a resource holder",
           Patient(R"(<contained id="c"><Organization><name value="x"/></Organization>)"
                   R"(</contained>)"),
           Code::kUnprocessable, "Patient.contained[0]", "unknown attribute 'id'"},
          {"text in a complex element", Patient("<name>John Doe</name>"), Code::kUnprocessable,
           "Patient.name[0]", "text content is not allowed in 'name'"},
          {"text in a primitive", Patient(R"(<active value="true">yes</active>)"),
           Code::kUnprocessable, "Patient.active", "text content"},
          {"CDATA in a resource", Patient("<![CDATA[x]]>"), Code::kUnprocessable, "Patient",
           "text content"},
          {"boolean 'yes'", Patient(R"(<active value="yes"/>)"), Code::kUnprocessable,
           "Patient.active", "a boolean must be 'true' or 'false', not 'yes'"},
          {"boolean 'True'", Patient(R"(<active value="True"/>)"), Code::kUnprocessable,
           "Patient.active", "boolean"},
          {"decimal '1.' is not a JSON number",
           R"(<Observation xmlns="http://hl7.org/fhir"><valueQuantity><value value="1."/>)"
           R"(</valueQuantity></Observation>)",
           Code::kUnprocessable, "Observation.valueQuantity.value", "'1.' is not a valid decimal"},
          {"decimal '.5'",
           R"(<Observation xmlns="http://hl7.org/fhir"><valueQuantity><value value=".5"/>)"
           R"(</valueQuantity></Observation>)",
           Code::kUnprocessable, "Observation.valueQuantity.value", "decimal"},
          {"decimal '+1'",
           R"(<Observation xmlns="http://hl7.org/fhir"><valueQuantity><value value="+1"/>)"
           R"(</valueQuantity></Observation>)",
           Code::kUnprocessable, "Observation.valueQuantity.value", "decimal"},
          {"decimal with spaces",
           R"(<Observation xmlns="http://hl7.org/fhir"><valueQuantity><value value=" 1"/>)"
           R"(</valueQuantity></Observation>)",
           Code::kUnprocessable, "Observation.valueQuantity.value", "decimal"},
          {"decimal beyond a double",
           R"(<Observation xmlns="http://hl7.org/fhir"><valueQuantity><value value="1e400"/>)"
           R"(</valueQuantity></Observation>)",
           Code::kUnprocessable, "Observation.valueQuantity.value", "decimal"},
          {"integer with a leading zero", Patient(R"(<multipleBirthInteger value="01"/>)"),
           Code::kUnprocessable, "Patient.multipleBirthInteger", "not a valid integer"},
          {"empty integer", Patient(R"(<multipleBirthInteger value=""/>)"), Code::kUnprocessable,
           "Patient.multipleBirthInteger", "integer"},
          {"primitive without value or extensions", Patient("<active/>"), Code::kUnprocessable,
           "Patient.active", "neither a value attribute nor extensions"},
          {"repeating primitive without value or extensions",
           Patient(R"(<name><given value="a"/><given/></name>)"), Code::kUnprocessable,
           "Patient.name[0].given[1]", "neither"},
          {"empty complex element", Patient("<maritalStatus/>"), Code::kUnprocessable,
           "Patient.maritalStatus", "is empty"},
          {"non-repeating element twice",
           Patient(R"(<active value="true"/><active value="false"/>)"), Code::kUnprocessable,
           "Patient.active", "occurs more than once"},
          {"two types of one choice",
           Patient(R"(<deceasedBoolean value="true"/><deceasedDateTime value="2020"/>)"),
           Code::kUnprocessable, "Patient.deceasedDateTime", "deceased[x] does not repeat"},
          {"narrative div in the FHIR namespace",
           Patient(R"(<text><status value="generated"/><div>x</div></text>)"), Code::kUnprocessable,
           "Patient.text.div", "must be an XHTML element"},
          {"narrative div with a prefix",
           Patient(R"(<text><status value="generated"/><h:div )"
                   R"(xmlns:h="http://www.w3.org/1999/xhtml">x</h:div></text>)"),
           Code::kUnprocessable, "Patient.text.div", "without a prefix"},
          {"two narrative divs",
           Patient(R"(<text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml">)"
                   R"(a</div><div xmlns="http://www.w3.org/1999/xhtml">b</div></text>)"),
           Code::kUnprocessable, "Patient.text.div", "occurs more than once"},
          {"XHTML where FHIR content belongs",
           Patient(R"(<p xmlns="http://www.w3.org/1999/xhtml">x</p>)"), Code::kUnprocessable,
           "Patient.p", "unexpected XHTML element 'p'"},
          {"XHTML inside a primitive",
           Patient(R"(<active value="true"><div xmlns="http://www.w3.org/1999/xhtml"/></active>)"),
           Code::kUnprocessable, "Patient.active.div", "unexpected XHTML element"},
          {"empty contained", Patient("<contained/>"), Code::kUnprocessable, "Patient.contained[0]",
           "must contain a resource"},
          {"data type where a resource belongs",
           Patient("<contained><HumanName><family value=\"x\"/></HumanName></contained>"),
           Code::kUnprocessable, "Patient.contained[0]", "'HumanName' is not a FHIR R4 resource"},
          {"two resources in one contained",
           Patient("<contained><Organization><name value=\"a\"/></Organization><Organization>"
                   "<name value=\"b\"/></Organization></contained>"),
           Code::kUnprocessable, "Patient.contained[0]", "only one resource"},
          {"text in a resource holder", Patient("<contained>x</contained>"), Code::kUnprocessable,
           "Patient.contained[0]", "text content"},
      });
}

std::string Deep(std::size_t depth) {
  std::string xml(kOpen);
  for (std::size_t i = 0; i < depth; ++i) xml += R"(<extension url="http://example.org/e">)";
  xml += R"(<valueString value="x"/>)";
  for (std::size_t i = 0; i < depth; ++i) xml += "</extension>";
  return xml + "</Patient>";
}

TEST_F(XmlReaderTest, BoundsDepthAndSize) {
  // 126 nested extensions + the root + valueString = 128 levels: just allowed.
  Result<json::Value> ok = ParseResource(Deep(126), registry());
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();

  ExpectErrors(registry(),
               {
                   {"one level too deep", Deep(127), Code::kInvalidInput, "",
                    "nested deeper than 128 levels"},
                   {"10,000 levels", Deep(10'000), Code::kInvalidInput, "", "nested deeper"},
                   {"10,000 levels of XHTML",
                    Patient(R"(<text><status value="generated"/><div )"
                            R"(xmlns="http://www.w3.org/1999/xhtml">)" +
                            [] {
                              std::string s;
                              for (int i = 0; i < 10'000; ++i) s += "<b>";
                              for (int i = 0; i < 10'000; ++i) s += "</b>";
                              return s;
                            }() +
                            "</div></text>"),
                    Code::kInvalidInput, "", "nested deeper"},
                   {"10,000 unclosed levels",
                    std::string(kOpen) +
                        [] {
                          std::string s;
                          for (int i = 0; i < 10'000; ++i) s += "<name>";
                          return s;
                        }(),
                    Code::kUnprocessable, "Patient.name[0].name", "unknown element 'name'"},
               });

  XmlLimits small;
  small.max_depth = 3;
  small.max_bytes = 200;
  small.max_nodes = 6;
  ExpectErrors(
      registry(),
      {
          {"custom depth", Patient(R"(<name><period><start value="2000"/></period></name>)"),
           Code::kInvalidInput, "", "nested deeper than 3 levels"},
          {"custom size", Patient(std::string(200, ' ')), Code::kTooLarge, "",
           "larger than 200 bytes"},
          {"custom node count",
           Patient(R"(<active value="true"/><gender value="male"/><name id="n">)"
                   R"(<family value="x"/></name>)"),
           Code::kInvalidInput, "", "more than 6 elements and attributes"},
      },
      small);
}

TEST_F(XmlReaderTest, RefusesDoctypeSoNoEntityIsEverExpanded) {
  // A file the XXE would disclose if the parser resolved external entities.
  const std::filesystem::path secret =
      std::filesystem::temp_directory_path() / "schakel-xml-xxe-secret.txt";
  {
    std::ofstream out(secret);
    out << "TOP-SECRET-XXE-CONTENT";
  }
  const std::string secret_uri = "file://" + secret.string();
  const std::string laughs = [] {
    std::string s = "<?xml version=\"1.0\"?>\n<!DOCTYPE Patient [\n<!ENTITY l0 \"lol\">\n";
    for (int i = 1; i <= 10; ++i) {
      s += "<!ENTITY l" + std::to_string(i) + " \"";
      for (int k = 0; k < 10; ++k) s += "&l" + std::to_string(i - 1) + ";";
      s += "\">\n";
    }
    return s + "]>\n<Patient xmlns=\"http://hl7.org/fhir\"><name><text value=\"&l10;\"/>" +
           "</name></Patient>";
  }();
  const std::vector<ErrorCase> cases = {
      {"external entity (XXE)",
       "<?xml version=\"1.0\"?>\n<!DOCTYPE Patient [<!ENTITY xxe SYSTEM \"" + secret_uri +
           "\">]>\n<Patient xmlns=\"http://hl7.org/fhir\"><name><text value=\"&xxe;\"/></name>"
           "</Patient>",
       Code::kInvalidInput, "", "DOCTYPE is not allowed"},
      {"external entity in text (XXE)",
       "<!DOCTYPE Patient [<!ENTITY xxe SYSTEM \"" + secret_uri +
           "\">]><Patient xmlns=\"http://hl7.org/fhir\"><text><status value=\"generated\"/>"
           "<div xmlns=\"http://www.w3.org/1999/xhtml\">&xxe;</div></text></Patient>",
       Code::kInvalidInput, "", "DOCTYPE is not allowed"},
      {"external DTD over the network",
       "<!DOCTYPE Patient SYSTEM \"http://127.0.0.1:9/evil.dtd\"><Patient "
       "xmlns=\"http://hl7.org/fhir\"/>",
       Code::kInvalidInput, "", "DOCTYPE is not allowed"},
      {"parameter entities",
       "<!DOCTYPE Patient [<!ENTITY % p SYSTEM \"" + secret_uri +
           "\"> %p;]><Patient "
           "xmlns=\"http://hl7.org/fhir\"/>",
       Code::kInvalidInput, "", "DOCTYPE is not allowed"},
      {"billion laughs", laughs, Code::kInvalidInput, "", "DOCTYPE is not allowed"},
      {"DOCTYPE without a subset", "<!DOCTYPE Patient><Patient xmlns=\"http://hl7.org/fhir\"/>",
       Code::kInvalidInput, "", "DOCTYPE is not allowed"},
  };
  const auto start = std::chrono::steady_clock::now();
  ExpectErrors(registry(), cases);
  for (const ErrorCase& c : cases) {
    Result<json::Value> read = ParseResource(c.xml, registry());
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.status().ToString().find("TOP-SECRET"), std::string::npos);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  std::filesystem::remove(secret);
}

}  // namespace
}  // namespace schakel::fhir::xml
