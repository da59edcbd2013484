#include "integration/test_support.h"

#include <rapidjson/error/en.h>
#include <rapidjson/pointer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <cctype>
#include <csignal>
#include <ctime>
#include <iostream>
#include <regex>
#include <set>

namespace schakel::integration {
namespace {

// Writes to a socket the server already closed must fail with EPIPE, not kill the test binary.
[[maybe_unused]] const bool kSigpipeIgnored = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

constexpr std::size_t kLogTailBytes = 6000;
constexpr int kMaxHistoryPages = 100000;

// http://hl7.org/fhir/R4/valueset-issue-type.html
constexpr std::array<std::string_view, 31> kIssueTypes = {
    "invalid",       "structure", "required",         "value",         "invariant",  "security",
    "login",         "unknown",   "expired",          "forbidden",     "suppressed", "processing",
    "not-supported", "duplicate", "multiple-matches", "not-found",     "deleted",    "too-long",
    "code-invalid",  "extension", "too-costly",       "business-rule", "conflict",   "transient",
    "lock-error",    "no-store",  "exception",        "timeout",       "incomplete", "throttled",
    "informational"};

std::string Str(const rapidjson::Value* value) {
  return value != nullptr && value->IsString()
             ? std::string(value->GetString(), value->GetStringLength())
             : std::string();
}

}  // namespace

rapidjson::Document ParseJson(const std::string& text) {
  rapidjson::Document document;
  document.Parse<rapidjson::kParseFullPrecisionFlag>(text.data(), text.size());
  return document;
}

const rapidjson::Value* At(const rapidjson::Value& root, const char* pointer) {
  return rapidjson::Pointer(pointer).Get(root);
}

std::string StringAt(const rapidjson::Value& root, const char* pointer) {
  return Str(At(root, pointer));
}

std::string ToJson(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string NormalizeMediaType(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

::testing::AssertionResult IsFhirJson(const Response& response) {
  if (!response.complete()) return ::testing::AssertionFailure() << response;
  if (NormalizeMediaType(response.Header("Content-Type")) != kFhirJson) {
    return ::testing::AssertionFailure() << "Content-Type is '" << response.Header("Content-Type")
                                         << "', want " << kFhirJson << response;
  }
  rapidjson::Document document = ParseJson(response.body);
  if (document.HasParseError()) {
    return ::testing::AssertionFailure()
           << "body is not JSON: " << rapidjson::GetParseError_En(document.GetParseError())
           << " at " << document.GetErrorOffset() << response;
  }
  if (!document.IsObject())
    return ::testing::AssertionFailure() << "body is not an object" << response;
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult IsOperationOutcome(const Response& response, std::string_view severity) {
  if (auto json = IsFhirJson(response); !json) return json;
  rapidjson::Document document = ParseJson(response.body);
  if (StringAt(document, "/resourceType") != "OperationOutcome") {
    return ::testing::AssertionFailure() << "not an OperationOutcome" << response;
  }
  if (StringAt(document, "/issue/0/severity") != severity) {
    return ::testing::AssertionFailure() << "issue[0].severity is not " << severity << response;
  }
  if (!IsIssueTypeCode(StringAt(document, "/issue/0/code"))) {
    return ::testing::AssertionFailure() << "issue[0].code is not an issue-type code" << response;
  }
  if (StringAt(document, "/issue/0/diagnostics").empty()) {
    return ::testing::AssertionFailure() << "issue[0].diagnostics missing or empty" << response;
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult IsResource(const Response& response, std::string_view type,
                                      std::string_view id) {
  if (auto json = IsFhirJson(response); !json) return json;
  rapidjson::Document document = ParseJson(response.body);
  if (StringAt(document, "/resourceType") != type) {
    return ::testing::AssertionFailure() << "resourceType is not " << type << response;
  }
  if (!id.empty() && StringAt(document, "/id") != id) {
    return ::testing::AssertionFailure() << "id is not " << id << response;
  }
  return ::testing::AssertionSuccess();
}

std::string IssueCode(const Response& response) {
  rapidjson::Document document = ParseJson(response.body);
  if (document.HasParseError()) return {};
  return StringAt(document, "/issue/0/code");
}

bool IsIssueTypeCode(std::string_view code) {
  for (std::string_view known : kIssueTypes) {
    if (known == code) return true;
  }
  return false;
}

int EtagVersion(std::string_view etag) {
  static const std::regex kWeak(R"re(^W/"([0-9]{1,9})"$)re");
  std::match_results<std::string_view::const_iterator> match;
  if (!std::regex_match(etag.begin(), etag.end(), match, kWeak)) return -1;
  return std::stoi(match[1].str());
}

VersionedRef ParseLocation(std::string_view location) {
  static const std::regex kLocation(
      R"re(/([A-Za-z]+)/([A-Za-z0-9\-.]{1,64})/_history/([0-9]+)$)re");
  std::match_results<std::string_view::const_iterator> match;
  VersionedRef ref;
  if (!std::regex_search(location.begin(), location.end(), match, kLocation)) return ref;
  ref.type = match[1].str();
  ref.id = match[2].str();
  ref.version = std::stoi(match[3].str());
  return ref;
}

bool IsImfFixdate(std::string_view value) {
  static const std::regex kDate(
      R"re(^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$)re");
  return std::regex_match(value.begin(), value.end(), kDate);
}

bool IsInstant(std::string_view value) {
  // http://hl7.org/fhir/R4/datatypes.html#instant
  static const std::regex kInstant(
      R"re(^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$)re");
  return std::regex_match(value.begin(), value.end(), kInstant);
}

std::optional<std::pair<std::int64_t, std::string>> InstantKey(std::string_view instant) {
  if (!IsInstant(instant)) return std::nullopt;
  std::string text(instant);
  std::tm tm{};
  tm.tm_year = std::stoi(text.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(text.substr(5, 2)) - 1;
  tm.tm_mday = std::stoi(text.substr(8, 2));
  tm.tm_hour = std::stoi(text.substr(11, 2));
  tm.tm_min = std::stoi(text.substr(14, 2));
  tm.tm_sec = std::stoi(text.substr(17, 2));
  std::int64_t seconds = timegm(&tm);
  std::size_t pos = 19;
  std::string fraction;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      fraction.push_back(text[pos++]);
    }
  }
  if (text[pos] != 'Z') {
    int sign = text[pos] == '-' ? -1 : 1;
    int offset =
        std::stoi(text.substr(pos + 1, 2)) * 3600 + std::stoi(text.substr(pos + 4, 2)) * 60;
    seconds -= sign * offset;
  }
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  fraction.resize(18, '0');
  return std::make_pair(seconds, fraction);
}

std::optional<std::int64_t> ParseHttpDate(std::string_view value) {
  if (!IsImfFixdate(value)) return std::nullopt;
  std::tm tm{};
  std::string text(value);
  if (strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) == nullptr) return std::nullopt;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string FormatHttpDate(std::int64_t epoch_seconds) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t time = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&time, &tm);
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buffer;
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

std::string TargetFromUrl(std::string_view url) {
  std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  std::size_t path = url.find('/', scheme + 3);
  if (path == std::string_view::npos) return "/";
  return std::string(url.substr(path));
}

std::string PatientJson(std::string_view family, std::string_view id, std::string_view extra) {
  std::string json = R"({"resourceType":"Patient")";
  if (!id.empty()) json += R"(,"id":")" + std::string(id) + "\"";
  json += R"(,"name":[{"family":")" + std::string(family) + R"("}])";
  json += extra;
  json += "}";
  return json;
}

HistoryPage ParseHistoryPage(const Response& response) {
  HistoryPage page;
  if (response.status != 200) {
    page.error = "history request failed" + response.Describe();
    return page;
  }
  if (auto json = IsFhirJson(response); !json) {
    page.error = json.message();
    return page;
  }
  rapidjson::Document document = ParseJson(response.body);
  if (StringAt(document, "/resourceType") != "Bundle" || StringAt(document, "/type") != "history") {
    page.error = "not a history Bundle" + response.Describe();
    return page;
  }
  if (const rapidjson::Value* links = At(document, "/link"); links != nullptr && links->IsArray()) {
    for (const auto& link : links->GetArray()) {
      std::string relation = StringAt(link, "/relation");
      if (relation == "self") page.self = StringAt(link, "/url");
      if (relation == "next") page.next = StringAt(link, "/url");
    }
  }
  const rapidjson::Value* entries = At(document, "/entry");
  if (entries == nullptr) return page;
  if (!entries->IsArray()) {
    page.error = "Bundle.entry is not an array";
    return page;
  }
  for (const auto& item : entries->GetArray()) {
    HistoryEntry entry;
    entry.full_url = StringAt(item, "/fullUrl");
    if (const rapidjson::Value* resource = At(item, "/resource"); resource != nullptr) {
      entry.has_resource = true;
      entry.resource_type = StringAt(*resource, "/resourceType");
      entry.resource_id = StringAt(*resource, "/id");
      entry.version_id = StringAt(*resource, "/meta/versionId");
      entry.last_updated = StringAt(*resource, "/meta/lastUpdated");
    }
    entry.method = StringAt(item, "/request/method");
    entry.url = StringAt(item, "/request/url");
    entry.status = StringAt(item, "/response/status");
    entry.etag = StringAt(item, "/response/etag");
    entry.last_modified = StringAt(item, "/response/lastModified");
    entry.version = EtagVersion(entry.etag);
    page.entries.push_back(std::move(entry));
  }
  return page;
}

std::vector<HistoryEntry> FetchAllHistory(HttpClient& client, const std::string& target,
                                          std::string* error,
                                          const std::function<void()>& between_pages) {
  std::vector<HistoryEntry> all;
  std::set<std::string> seen_links;
  std::string next = target;
  for (int pages = 0; !next.empty(); ++pages) {
    if (pages >= kMaxHistoryPages) {
      *error = "too many history pages";
      return all;
    }
    if (!seen_links.insert(next).second) {
      *error = "next link repeats: " + next;
      return all;
    }
    Response response = client.Get(next);
    HistoryPage page = ParseHistoryPage(response);
    if (!page.error.empty()) {
      *error = page.error;
      return all;
    }
    all.insert(all.end(), page.entries.begin(), page.entries.end());
    if (page.next.empty()) break;
    if (page.next.rfind("http://", 0) != 0 && page.next.rfind("https://", 0) != 0) {
      *error = "next link is not absolute: " + page.next;
      return all;
    }
    next = TargetFromUrl(page.next);
    if (between_pages) between_pages();
  }
  return all;
}

void ServerTest::SetUp() {
  ServerProcessOptions options;
  options.extra_args = ServerArgs();
  options.insecure_no_auth = !Secure();
  server_ = std::make_unique<ServerProcess>(std::move(options));
  std::string error = server_->Start();
  ASSERT_TRUE(error.empty()) << error;
  client_ = std::make_unique<HttpClient>(server_->port());
}

void ServerTest::TearDown() {
  client_.reset();
  if (HasFailure() && server_ != nullptr && server_->port() != 0) {
    std::string log = server_->StderrLog();
    if (log.size() > kLogTailBytes) log = "..." + log.substr(log.size() - kLogTailBytes);
    std::cout << "--- server stderr (" << server_->log_path() << ", tail) ---\n"
              << log << "--- end of server stderr ---\n";
  }
  server_.reset();
}

std::unique_ptr<HttpClient> ServerTest::NewClient() const {
  return std::make_unique<HttpClient>(server_->port());
}

std::string ServerTest::Fhir(std::string_view path) { return "/fhir/" + std::string(path); }

std::string ServerTest::CreatePatient(std::string_view family, std::string_view extra) {
  Response response = client().Post(Fhir("Patient"), PatientJson(family, "", extra));
  EXPECT_EQ(response.status, 201) << response;
  if (response.status != 201) return {};
  VersionedRef ref = ParseLocation(response.Header("Location"));
  EXPECT_EQ(ref.type, "Patient") << response;
  return ref.id;
}

int ServerTest::CurrentVersion(std::string_view type, std::string_view id) {
  Response response = client().Get(Fhir(std::string(type) + "/" + std::string(id)));
  EXPECT_EQ(response.status, 200) << response;
  if (response.status != 200) return -1;
  int version = EtagVersion(response.Header("ETag"));
  EXPECT_GT(version, 0) << response;
  return version;
}

}  // namespace schakel::integration
