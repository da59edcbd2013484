#include "server/rest/negotiation.h"

#include <charconv>
#include <string>

#include "server/http/message.h"

namespace schakel::server::rest {
namespace {

using http::EqualsIgnoreCase;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

enum class Kind { kJson, kXml, kOther };

Kind ClassifyMediaType(std::string_view type) {
  type = Trim(type);
  for (std::string_view json : {"application/fhir+json", "application/json",
                                "application/json+fhir", "text/json", "json"}) {
    if (EqualsIgnoreCase(type, json)) return Kind::kJson;
  }
  for (std::string_view xml :
       {"application/fhir+xml", "application/xml", "application/xml+fhir", "text/xml", "xml"}) {
    if (EqualsIgnoreCase(type, xml)) return Kind::kXml;
  }
  return Kind::kOther;
}

// The q-value of one media range ("application/json;q=0.5"), 1.0 when absent.
double Quality(std::string_view params) {
  while (!params.empty()) {
    std::size_t semi = params.find(';');
    std::string_view p = Trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (p.size() > 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
      std::string value(p.substr(2));
      char* end = nullptr;
      double q = std::strtod(value.c_str(), &end);
      if (end == value.c_str() || q < 0 || q > 1) return 0;
      return q;
    }
  }
  return 1.0;
}

}  // namespace

fhir::Result<ResponseFormat> NegotiateResponse(const Target& target, std::string_view accept) {
  ResponseFormat result;
  if (const std::string* pretty = target.Param("_pretty")) {
    if (*pretty == "true") {
      result.pretty = true;
    } else if (*pretty != "false") {
      return fhir::Status::InvalidInput("_pretty must be true or false, not '" + *pretty + "'");
    }
  }
  if (const std::string* format_param = target.Param("_format")) {
    // An unencoded '+' in a query string arrives as a space: application/fhir+json.
    std::string format = *format_param;
    for (char& c : format) {
      if (c == ' ') c = '+';
    }
    std::string_view type = std::string_view(format).substr(0, format.find(';'));
    Kind kind = ClassifyMediaType(type);
    if (kind == Kind::kJson) return result;
    if (kind == Kind::kXml) {
      result.format = Format::kXml;
      return result;
    }
    return fhir::Status::NotAcceptable("_format=" + format.substr(0, 64) +
                                       " is not a format this server writes (json or xml)");
  }
  accept = Trim(accept);
  if (accept.empty()) return result;
  double best_json = 0;
  double best_xml = 0;
  while (!accept.empty()) {
    std::size_t comma = accept.find(',');
    std::string_view range = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    std::size_t semi = range.find(';');
    std::string_view type = Trim(range.substr(0, semi));
    double q =
        Quality(semi == std::string_view::npos ? std::string_view() : range.substr(semi + 1));
    Kind kind = ClassifyMediaType(type);
    bool any = type == "*/*" || EqualsIgnoreCase(type, "application/*");
    if ((kind == Kind::kJson || any) && q > best_json) best_json = q;
    if (kind == Kind::kXml && q > best_xml) best_xml = q;
  }
  if (best_json == 0 && best_xml == 0) {
    return fhir::Status::NotAcceptable(
        "none of the media types in Accept is one this server writes: application/fhir+json or "
        "application/fhir+xml");
  }
  if (best_xml > best_json) result.format = Format::kXml;
  return result;
}

fhir::Result<Format> RequestBodyFormat(std::string_view content_type) {
  content_type = Trim(content_type);
  if (content_type.empty()) return Format::kJson;
  std::size_t semi = content_type.find(';');
  std::string_view type = Trim(content_type.substr(0, semi));
  Kind kind = ClassifyMediaType(type);
  if (kind == Kind::kOther || EqualsIgnoreCase(type, "json") || EqualsIgnoreCase(type, "xml")) {
    return fhir::Status::UnsupportedMediaType(
        "Content-Type " + std::string(type.substr(0, 64)) +
        " is not supported; send application/fhir+json or application/fhir+xml");
  }
  std::string_view params =
      semi == std::string_view::npos ? std::string_view() : content_type.substr(semi + 1);
  while (!params.empty()) {
    std::size_t next = params.find(';');
    std::string_view p = Trim(params.substr(0, next));
    params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
    if (p.size() > 8 && EqualsIgnoreCase(p.substr(0, 8), "charset=")) {
      std::string_view charset = p.substr(8);
      if (charset.size() >= 2 && charset.front() == '"' && charset.back() == '"') {
        charset = charset.substr(1, charset.size() - 2);
      }
      if (!EqualsIgnoreCase(charset, "utf-8")) {
        return fhir::Status::UnsupportedMediaType("charset " + std::string(charset.substr(0, 32)) +
                                                  " is not supported; FHIR is UTF-8");
      }
    }
  }
  return kind == Kind::kXml ? Format::kXml : Format::kJson;
}

}  // namespace schakel::server::rest
