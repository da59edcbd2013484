#include "server/rest/query.h"

namespace schakel::server::rest {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

const std::string* Target::Param(std::string_view name) const {
  for (const QueryParam& p : params) {
    if (p.name == name) return &p.value;
  }
  return nullptr;
}

fhir::Result<std::string> PercentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      const bool complete = i + 2 < in.size();
      const int hi = complete ? HexValue(in[i + 1]) : -1;
      const int lo = complete ? HexValue(in[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return fhir::Status::InvalidInput("malformed percent-encoding in the request URL");
      }
      char decoded = static_cast<char>(hi * 16 + lo);
      if (decoded == '\0')
        return fhir::Status::InvalidInput("%00 is not allowed in the request URL");
      out += decoded;
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string PercentEncode(std::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size());
  for (char c : in) {
    auto u = static_cast<unsigned char>(c);
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    }
  }
  return out;
}

fhir::Result<std::vector<QueryParam>> ParseForm(std::string_view query) {
  std::vector<QueryParam> params;
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    fhir::Result<std::string> name = PercentDecode(pair.substr(0, eq), true);
    if (!name.ok()) return name.status();
    fhir::Result<std::string> value = PercentDecode(
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!value.ok()) return value.status();
    params.push_back({std::move(name).value(), std::move(value).value()});
  }
  return params;
}

fhir::Result<Target> ParseTarget(std::string_view target, std::string_view base_path) {
  Target result;
  std::string_view path = target;
  if (std::size_t q = target.find('?'); q != std::string_view::npos) {
    path = target.substr(0, q);
    result.query = std::string(target.substr(q + 1));
  }
  if (path.substr(0, base_path.size()) != base_path ||
      (path.size() > base_path.size() && path[base_path.size()] != '/')) {
    return fhir::Status::NotFound("no FHIR endpoint at this path; the FHIR base is " +
                                  std::string(base_path));
  }
  std::string_view rest = path.substr(base_path.size());
  while (!rest.empty()) {
    rest.remove_prefix(1);  // the '/'
    std::size_t slash = rest.find('/');
    std::string_view raw = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    if (raw.empty()) {
      if (rest.empty()) break;  // one trailing slash is tolerated
      return fhir::Status::NotFound("empty path segment in the request URL");
    }
    fhir::Result<std::string> segment = PercentDecode(raw, false);
    if (!segment.ok()) return segment.status();
    result.segments.push_back(std::move(segment).value());
  }
  fhir::Result<std::vector<QueryParam>> params = ParseForm(result.query);
  if (!params.ok()) return params.status();
  result.params = std::move(params).value();
  return result;
}

}  // namespace schakel::server::rest
