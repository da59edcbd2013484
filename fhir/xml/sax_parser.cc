#include "fhir/xml/sax_parser.h"

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>

#include <climits>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

namespace schakel::fhir::xml {
namespace {

// libxml2 2.12 made the structured error callback take a const pointer.
#if LIBXML_VERSION >= 21200
using ErrorPointer = const xmlError*;
#else
using ErrorPointer = xmlError*;
#endif

// Options, and why:
// - NONET: defence in depth; nothing we parse should ever fetch anything.
// - IGNORE_ENC: the input is read as UTF-8 whatever its declaration says (see the header).
// - HUGE: lifts libxml2's fixed 10 MB limit on one text or attribute value, which a base64
//   attachment can exceed; max_bytes and max_depth bound the document instead, and without a
//   DOCTYPE there are no entities whose expansion HUGE would leave unchecked.
// Never NOENT (entity substitution) or DTDLOAD/DTDATTR/DTDVALID (DTD loading).
constexpr int kParseOptions = XML_PARSE_NONET | XML_PARSE_IGNORE_ENC | XML_PARSE_HUGE;

void InitializeLibxml2Once() {
  // xmlInitParser is not itself thread-safe before 2.11: a function-local static runs it once.
  static const bool initialized = [] {
    xmlInitParser();
    return true;
  }();
  (void)initialized;
}

struct ParserContextDeleter {
  void operator()(xmlParserCtxt* context) const noexcept { xmlFreeParserCtxt(context); }
};
using ParserContext = std::unique_ptr<xmlParserCtxt, ParserContextDeleter>;

std::string_view View(const xmlChar* s) {
  return s == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(s));
}

std::string_view View(const xmlChar* begin, const xmlChar* end) {
  return {reinterpret_cast<const char*>(begin), static_cast<std::size_t>(end - begin)};
}

// Without entity substitution, libxml2 hands SAX an attribute value -- namespace URIs included
// -- with each literal '&' as "&#38;" (so that its own tree builder cannot mistake it for an
// entity reference); every other reference is already replaced. Undo that one.
std::string DecodeAmpersands(std::string_view value) {
  constexpr std::string_view kEscaped = "&#38;";
  std::string out;
  out.reserve(value.size());
  std::size_t pos = 0;
  while (pos < value.size()) {
    std::size_t amp = value.find('&', pos);
    if (amp == std::string_view::npos) {
      out.append(value.substr(pos));
      break;
    }
    out.append(value.substr(pos, amp - pos));
    out += '&';
    pos = value.compare(amp, kEscaped.size(), kEscaped) == 0 ? amp + kEscaped.size() : amp + 1;
  }
  return out;
}

// `value` with its ampersands decoded, kept in `storage` when that changes anything.
std::string_view Decoded(std::string_view value, std::string& storage) {
  if (value.find('&') == std::string_view::npos) return value;
  storage = DecodeAmpersands(value);
  return storage;
}

bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string EscapeAttribute(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A namespace binding: prefix ("" for the default namespace) and URI.
struct Binding {
  std::string prefix;
  std::string uri;
};

// What is known about the opaque subtree being skipped.
struct Opaque {
  std::size_t root_depth = 0;  // 0: not inside one
  std::size_t start = 0;       // byte offset of the root's '<'
  std::string ns;
  std::string local_name;
  std::string qualified_name;  // as written: "div" or "h:div"
  int line = 0;
  // Prefixes declared on each open element of the subtree.
  std::vector<std::vector<std::string>> scopes;
  // Bindings the subtree uses but that are declared on its ancestors.
  std::vector<Binding> inherited;
};

class SaxSession {
 public:
  SaxSession(std::string_view text, const XmlParseOptions& options, XmlContentHandler& handler)
      : text_(text), options_(options), handler_(handler) {}

  Status Run();

 private:
  static SaxSession& From(void* user_data) { return *static_cast<SaxSession*>(user_data); }

  // Every callback runs inside libxml2's C frames: nothing may throw through them.
  template <typename F>
  static void Guarded(void* user_data, F&& f) {
    SaxSession& session = From(user_data);
    if (!session.failure_.ok()) {
      xmlStopParser(session.context_);
      return;
    }
    try {
      f(session);
    } catch (const std::bad_alloc&) {
      session.Fail(Status::Internal("out of memory while parsing XML"));
    } catch (...) {
      session.Fail(Status::Internal("unexpected exception while parsing XML"));
    }
  }

  static void OnStartElement(void* user_data, const xmlChar* local_name, const xmlChar* prefix,
                             const xmlChar* uri, int namespace_count, const xmlChar** namespaces,
                             int attribute_count, int /*defaulted_count*/,
                             const xmlChar** attributes) {
    Guarded(user_data, [&](SaxSession& s) {
      s.StartElement(local_name, prefix, uri, namespace_count, namespaces, attribute_count,
                     attributes);
    });
  }
  static void OnEndElement(void* user_data, const xmlChar* /*local_name*/,
                           const xmlChar* /*prefix*/, const xmlChar* /*uri*/) {
    Guarded(user_data, [](SaxSession& s) { s.EndElement(); });
  }
  static void OnCharacters(void* user_data, const xmlChar* chars, int length) {
    Guarded(user_data, [&](SaxSession& s) {
      if (s.opaque_.root_depth != 0) return;
      s.Check(s.handler_.Text(View(chars, chars + length), s.Line()));
    });
  }
  static void OnInternalSubset(void* user_data, const xmlChar* /*name*/,
                               const xmlChar* /*external_id*/, const xmlChar* /*system_id*/) {
    Guarded(user_data, [](SaxSession& s) {
      s.Fail(Status::InvalidInput("a DOCTYPE is not allowed in FHIR XML (line " +
                                  std::to_string(s.Line()) +
                                  "): DTDs and entity declarations are refused"));
    });
  }
  static void OnError(void* user_data, ErrorPointer error) {
    if (error == nullptr || error->level < XML_ERR_ERROR) return;  // warnings do not fail
    SaxSession& s = From(user_data);
    if (!s.failure_.ok()) return;
    // Namespace errors do not stop libxml2 by themselves; the next callback stops it.
    try {
      std::string message = error->message != nullptr ? error->message : "unknown error";
      while (!message.empty() && IsXmlSpace(message.back())) message.pop_back();
      for (char& c : message) {
        if (c == '\n' || c == '\r') c = ' ';  // some messages continue on a second line
      }
      s.failure_ = Status::InvalidInput("malformed XML at line " + std::to_string(error->line) +
                                        ": " + message);
    } catch (...) {
      s.failure_ = Status::Internal("out of memory while parsing XML");
    }
  }

  void StartElement(const xmlChar* local_name, const xmlChar* prefix, const xmlChar* uri,
                    int namespace_count, const xmlChar** namespaces, int attribute_count,
                    const xmlChar** attributes);
  void EndElement();
  void StartOpaque(std::string_view qualified_name, std::string_view ns,
                   std::string_view local_name);
  void TrackOpaqueNamespaces(const xmlChar* prefix, const xmlChar* uri, int namespace_count,
                             const xmlChar** namespaces, int attribute_count,
                             const xmlChar** attributes);
  void UseBinding(std::string_view prefix, std::string_view uri);

  int Line() const { return xmlSAX2GetLineNumber(context_); }
  // The current byte offset in text_, or npos when libxml2 cannot say.
  std::size_t Offset() const {
    long consumed = xmlByteConsumed(context_);
    return consumed < 0 || static_cast<std::size_t>(consumed) > text_.size()
               ? std::string_view::npos
               : static_cast<std::size_t>(consumed);
  }
  void Check(Status status) {
    if (!status.ok()) Fail(std::move(status));
  }
  void Fail(Status status) {
    if (failure_.ok()) failure_ = std::move(status);
    xmlStopParser(context_);
  }

  std::string_view text_;
  const XmlParseOptions& options_;
  XmlContentHandler& handler_;
  xmlParserCtxt* context_ = nullptr;
  Status failure_;
  std::size_t depth_ = 0;
  std::size_t nodes_ = 0;  // elements and attributes so far
  Opaque opaque_;
  std::vector<XmlAttribute> attributes_;
  // Storage for decoded names and values (see DecodeAmpersands): the element's namespace, then
  // each attribute's namespace and value.
  std::string decoded_ns_;
  std::vector<std::string> decoded_;
};

Status SaxSession::Run() {
  if (text_.size() > options_.max_bytes || text_.size() > static_cast<std::size_t>(INT_MAX)) {
    return Status::TooLarge("the XML document is larger than " +
                            std::to_string(options_.max_bytes) + " bytes");
  }
  // Refuse what libxml2 would otherwise decode as UTF-16, UTF-32 or EBCDIC (see the header).
  std::string_view body = text_;
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  while (!body.empty() && IsXmlSpace(body.front())) body.remove_prefix(1);
  if (body.empty()) return Status::InvalidInput("the XML document is empty");
  if (body.front() != '<' || text_.find('\0') != std::string_view::npos) {
    return Status::InvalidInput("not an XML document in UTF-8");
  }

  InitializeLibxml2Once();
  ParserContext context(xmlCreateMemoryParserCtxt(text_.data(), static_cast<int>(text_.size())));
  if (context == nullptr) return Status::Internal("cannot create an XML parser");
  // Also resets what the context took from libxml2's global defaults (entity substitution, DTD
  // loading, validation) to what kParseOptions says.
  xmlCtxtUseOptions(context.get(), kParseOptions);

  // Our own handler replaces libxml2's tree builder in place (the context frees it as its own).
  xmlSAXHandler sax;
  std::memset(&sax, 0, sizeof(sax));
  sax.initialized = XML_SAX2_MAGIC;
  sax.startElementNs = &SaxSession::OnStartElement;
  sax.endElementNs = &SaxSession::OnEndElement;
  sax.characters = &SaxSession::OnCharacters;
  sax.ignorableWhitespace = &SaxSession::OnCharacters;
  sax.cdataBlock = &SaxSession::OnCharacters;
  sax.internalSubset = &SaxSession::OnInternalSubset;
  sax.serror = &SaxSession::OnError;
  *context->sax = sax;
  context->userData = this;
  context_ = context.get();

  const int rc = xmlParseDocument(context.get());
  if (!failure_.ok()) return failure_;
  if (rc != 0 || context->wellFormed == 0 || context->nsWellFormed == 0) {
    return Status::InvalidInput("malformed XML");
  }
  return Status::Ok();
}

void SaxSession::StartElement(const xmlChar* local_name, const xmlChar* prefix, const xmlChar* uri,
                              int namespace_count, const xmlChar** namespaces, int attribute_count,
                              const xmlChar** attributes) {
  nodes_ += 1 + static_cast<std::size_t>(attribute_count);
  if (nodes_ > options_.max_nodes) {
    Fail(Status::InvalidInput("the XML document has more than " +
                              std::to_string(options_.max_nodes) + " elements and attributes"));
    return;
  }
  if (++depth_ > options_.max_depth) {
    Fail(Status::InvalidInput("XML elements are nested deeper than " +
                              std::to_string(options_.max_depth) + " levels (line " +
                              std::to_string(Line()) + ")"));
    return;
  }
  const std::string_view ns = Decoded(View(uri), decoded_ns_);
  if (opaque_.root_depth == 0 && !options_.opaque_namespace.empty() &&
      ns == options_.opaque_namespace) {
    std::string qualified_name(View(local_name));
    if (prefix != nullptr) qualified_name = std::string(View(prefix)) + ":" + qualified_name;
    StartOpaque(qualified_name, ns, View(local_name));
    if (!failure_.ok()) return;
  }
  if (opaque_.root_depth != 0) {
    TrackOpaqueNamespaces(prefix, uri, namespace_count, namespaces, attribute_count, attributes);
    return;
  }

  // Attributes come as five pointers each: local name, prefix, URI, value start, value end.
  const auto count = static_cast<std::size_t>(attribute_count);
  attributes_.clear();
  decoded_.assign(2 * count, std::string());
  for (std::size_t i = 0; i < count; ++i) {
    const xmlChar* const* a = attributes + 5 * i;
    attributes_.push_back({Decoded(View(a[2]), decoded_[2 * i]), View(a[0]),
                           Decoded(View(a[3], a[4]), decoded_[2 * i + 1])});
  }
  XmlStartTag tag{ns, View(local_name), attributes_, Line()};
  Check(handler_.StartElement(tag));
}

void SaxSession::StartOpaque(std::string_view qualified_name, std::string_view ns,
                             std::string_view local_name) {
  // libxml2 reports a start tag once it has read up to its '>' (or "/>"); attribute values
  // cannot contain '<', so the last '<' before that is where the element starts.
  const std::size_t offset = Offset();
  const std::size_t start =
      offset == std::string_view::npos ? std::string_view::npos : text_.rfind('<', offset);
  if (start == std::string_view::npos ||
      text_.compare(start + 1, qualified_name.size(), qualified_name) != 0) {
    Fail(Status::Internal("cannot locate the source of an XHTML element"));
    return;
  }
  opaque_ = Opaque();
  opaque_.root_depth = depth_;
  opaque_.start = start;
  opaque_.ns = ns;
  opaque_.local_name = local_name;
  opaque_.qualified_name = qualified_name;
  opaque_.line = Line();
}

void SaxSession::TrackOpaqueNamespaces(const xmlChar* prefix, const xmlChar* uri,
                                       int namespace_count, const xmlChar** namespaces,
                                       int attribute_count, const xmlChar** attributes) {
  std::vector<std::string>& scope = opaque_.scopes.emplace_back();
  for (std::size_t i = 0; i < static_cast<std::size_t>(namespace_count); ++i) {
    scope.emplace_back(View(namespaces[2 * i]));
  }
  // An unprefixed element in no namespace needs no binding; any other name does.
  if (prefix != nullptr || uri != nullptr) UseBinding(View(prefix), View(uri));
  for (std::size_t i = 0; i < static_cast<std::size_t>(attribute_count); ++i) {
    const xmlChar* const* a = attributes + 5 * i;
    if (a[1] != nullptr) UseBinding(View(a[1]), View(a[2]));  // unprefixed: no namespace
  }
}

void SaxSession::UseBinding(std::string_view prefix, std::string_view uri) {
  if (prefix == "xml") return;  // bound by definition
  for (const std::vector<std::string>& scope : opaque_.scopes) {
    for (const std::string& declared : scope) {
      if (declared == prefix) return;
    }
  }
  for (const Binding& b : opaque_.inherited) {
    if (b.prefix == prefix) return;
  }
  opaque_.inherited.push_back({std::string(prefix), DecodeAmpersands(uri)});
}

void SaxSession::EndElement() {
  const std::size_t depth = depth_--;
  if (opaque_.root_depth == 0) {
    Check(handler_.EndElement());
    return;
  }
  opaque_.scopes.pop_back();
  if (depth != opaque_.root_depth) return;

  // The end tag has just been read: the offset is just past its '>'.
  const std::size_t end = Offset();
  if (end == std::string_view::npos || end <= opaque_.start || text_[end - 1] != '>') {
    Fail(Status::Internal("cannot locate the end of an XHTML element"));
    return;
  }
  std::string_view source = text_.substr(opaque_.start, end - opaque_.start);
  std::string standalone;
  if (!opaque_.inherited.empty()) {
    const std::size_t name_end = 1 + opaque_.qualified_name.size();
    standalone.assign(source.substr(0, name_end));
    for (const Binding& b : opaque_.inherited) {
      standalone += b.prefix.empty() ? " xmlns=\"" : " xmlns:" + b.prefix + "=\"";
      standalone += EscapeAttribute(b.uri);
      standalone += '"';
    }
    standalone.append(source.substr(name_end));
    source = standalone;
  }
  XmlStartTag tag{opaque_.ns, opaque_.local_name, {}, opaque_.line};
  Status status = handler_.OpaqueElement(tag, source);
  opaque_ = Opaque();
  Check(std::move(status));
}

}  // namespace

Status ParseXml(std::string_view text, const XmlParseOptions& options, XmlContentHandler& handler) {
  SaxSession session(text, options, handler);
  return session.Run();
}

}  // namespace schakel::fhir::xml
