// A hardened, bounded XML 1.0 + Namespaces parser that reports a document as events. It is the
// only part of fhir/xml/ that talks to libxml2 (included by sax_parser.cc alone), so the FHIR
// mapping in reader.cc deals in names, attributes and text, never in libxml2 handles.
//
// Security (https://hl7.org/fhir/R4/security.html#xml): any document with a DOCTYPE is refused
// before its internal subset is read, so there are no entity declarations to expand (no XXE, no
// "billion laughs"); DTDs are never loaded, the network is never used, and only the five
// predefined entities and character references are recognised. Element nesting, the number of
// elements and attributes, and the input size are bounded. Only UTF-8 is accepted (FHIR exchanges
// UTF-8: https://hl7.org/fhir/R4/http.html#mime-type); an encoding declaration naming anything else
// is ignored, so non-UTF-8 bytes are reported as malformed.
//
// Opaque subtrees: an element in `XmlParseOptions::opaque_namespace` (XHTML, for the narrative)
// is not reported piece by piece. It is checked for well-formedness like everything else and then
// handed over as its exact source text, from its '<' to its last '>': entities, attribute quotes,
// comments and whitespace untouched. Namespace declarations that the subtree relies on but that
// sit on its ancestors are added to its start tag, so the text is a standalone XML element.
//
// Stateless; safe to call from several threads at once (libxml2 is initialised once, and errors
// go to a per-parse handler, never to libxml2's global error handler).
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "fhir/status.h"

namespace schakel::fhir::xml {

struct XmlAttribute {
  std::string_view ns;  // namespace URI; empty for an unprefixed attribute
  std::string_view local_name;
  std::string_view value;  // normalized and with references replaced, as XML 1.0 section 3.3.3
};

// The views are valid during the callback only.
struct XmlStartTag {
  std::string_view ns;  // namespace URI; empty when the element is in no namespace
  std::string_view local_name;
  std::span<const XmlAttribute> attributes;  // namespace declarations are not included
  int line = 0;                              // where the start tag ends
};

// Receives the events of one document. A handler that returns a non-ok Status stops the parse;
// ParseXml then returns that Status unchanged.
class XmlContentHandler {
 public:
  virtual ~XmlContentHandler() = default;
  virtual Status StartElement(const XmlStartTag& tag) = 0;
  virtual Status EndElement() = 0;
  // Character data, possibly in several pieces (CDATA sections included). Comments and
  // processing instructions are not reported.
  virtual Status Text(std::string_view text, int line) = 0;
  // A complete element in the opaque namespace; `tag.attributes` is empty.
  virtual Status OpaqueElement(const XmlStartTag& tag, std::string_view source) = 0;
};

struct XmlParseOptions {
  std::size_t max_depth = 128;  // element nesting, opaque subtrees included
  std::size_t max_bytes = std::size_t{64} * 1024 * 1024;
  std::size_t max_nodes = 4'000'000;  // elements and attributes, opaque subtrees included
  std::string_view opaque_namespace;  // empty: no opaque subtrees
};

// Parses one document. Malformed or refused XML gives Code::kInvalidInput (with the line);
// input beyond max_bytes gives Code::kTooLarge.
Status ParseXml(std::string_view text, const XmlParseOptions& options, XmlContentHandler& handler);

}  // namespace schakel::fhir::xml
