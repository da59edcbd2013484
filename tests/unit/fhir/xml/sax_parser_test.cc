// ParseXml, the libxml2 adapter: which events a document gives, attribute values after XML
// normalization, opaque subtrees as standalone source text, and handler errors passed through.
#include "fhir/xml/sax_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace schakel::fhir::xml {
namespace {

// Records every event as one line of text.
class Recorder final : public XmlContentHandler {
 public:
  Status StartElement(const XmlStartTag& tag) override {
    std::string line = "start {" + std::string(tag.ns) + "}" + std::string(tag.local_name);
    for (const XmlAttribute& a : tag.attributes) {
      line += " {" + std::string(a.ns) + "}" + std::string(a.local_name) + "=[" +
              std::string(a.value) + "]";
    }
    events.push_back(line);
    return fail_on_start;
  }
  Status EndElement() override {
    events.push_back("end");
    return Status::Ok();
  }
  Status Text(std::string_view text, int) override {
    if (!events.empty() && events.back().rfind("text ", 0) == 0) {
      events.back() += text;  // pieces of one run of text
    } else {
      events.push_back("text " + std::string(text));
    }
    return Status::Ok();
  }
  Status OpaqueElement(const XmlStartTag& tag, std::string_view source) override {
    events.push_back("opaque {" + std::string(tag.ns) + "}" + std::string(tag.local_name) + " " +
                     std::string(source));
    return Status::Ok();
  }

  std::vector<std::string> events;
  Status fail_on_start;
};

XmlParseOptions Options() {
  XmlParseOptions options;
  options.opaque_namespace = "urn:opaque";
  return options;
}

TEST(XmlSaxParserTest, ReportsElementsAttributesAndText) {
  struct Case {
    std::string_view name;
    std::string_view xml;
    std::vector<std::string> events;
  };
  const Case cases[] = {
      {"namespaces and attributes",
       R"(<r xmlns="urn:a" xmlns:b="urn:b&amp;c" x="1" b:y="2"><b:c/></r>)",
       {"start {urn:a}r {}x=[1] {urn:b&c}y=[2]", "start {urn:b&c}c", "end", "end"}},
      {"attribute values: references replaced, whitespace normalized",
       "<r v=\"a &amp; b &lt; &#38; &#x26;#38; &quot;\tc\nd&#10;e&#9;\"/>",
       {"start {}r {}v=[a & b < & &#38; \" c d\ne\t]", "end"}},
      {"text, CDATA and references; comments and PIs are not reported",
       "<r>a<!-- c --><?p i?> &amp; <![CDATA[<b>]]></r>",
       {"start {}r", "text a & <b>", "end"}},
      {"opaque subtree as source text",
       R"(<r><o:x xmlns:o="urn:opaque" a='1'><o:y>t &amp; <!--c--></o:y><z/></o:x><q/></r>)",
       {"start {}r",
        R"(opaque {urn:opaque}x <o:x xmlns:o="urn:opaque" a='1'><o:y>t &amp; <!--c--></o:y><z/></o:x>)",
        "start {}q", "end", "end"}},
      {"the document root can be opaque",
       R"(<r xmlns="urn:opaque" xmlns:p="urn:p&amp;q"><x p:a="1"><y/></x></r>)",
       {R"(opaque {urn:opaque}r <r xmlns="urn:opaque" xmlns:p="urn:p&amp;q"><x p:a="1"><y/></x></r>)"}},
      {"inherited declarations are added to the opaque root, escaped",
       R"(<r xmlns:p="urn:p&amp;q"><x xmlns="urn:opaque"><p:y/></x></r>)",
       {"start {}r",
        R"(opaque {urn:opaque}x <x xmlns:p="urn:p&amp;q" xmlns="urn:opaque"><p:y/></x>)", "end"}},
      {"a warning (relative namespace URI) is not an error",
       R"(<r xmlns="relative"/>)",
       {"start {relative}r", "end"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Recorder recorder;
    Status status = ParseXml(c.xml, Options(), recorder);
    ASSERT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(recorder.events, c.events);
  }
}

TEST(XmlSaxParserTest, HandlerErrorsStopTheParseAndComeBackUnchanged) {
  Recorder recorder;
  recorder.fail_on_start = Status::Conflict("stop here");
  Status status = ParseXml("<r><a/><b/></r>", Options(), recorder);
  EXPECT_EQ(status.code(), Code::kConflict);
  EXPECT_EQ(status.message(), "stop here");
  EXPECT_EQ(recorder.events.size(), 1u);
}

TEST(XmlSaxParserTest, MalformedInputIsInvalidInputWithTheLine) {
  Recorder recorder;
  Status status = ParseXml("<r>\n<a>\n</r>", Options(), recorder);
  EXPECT_EQ(status.code(), Code::kInvalidInput);
  EXPECT_NE(status.ToString().find("line 3"), std::string::npos) << status.ToString();
}

}  // namespace
}  // namespace schakel::fhir::xml
