// The HTTP layer: size limits, malformed requests, keep-alive, request ids, the access log and
// the `schakel serve` options.
// Spec: RFC 9110/9112 (413, 431, 400), https://hl7.org/fhir/R4/http.html
#include <algorithm>
#include <chrono>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "integration/test_support.h"

namespace schakel::integration {
namespace {

using HttpTest = ServerTest;

class BodyLimitTest : public ServerTest {
 protected:
  std::vector<std::string> ServerArgs() const override { return {"--max-body-bytes", "1024"}; }
};

// A valid Patient of about `bytes` bytes: the padding is spread over extension strings of at most
// 64 KiB (FHIR strings may not exceed 1 MiB).
std::string PatientOfSize(std::size_t bytes) {
  constexpr std::size_t kMaxPiece = 64 * 1024;
  const std::string open = R"({"url":"http://example.org/pad","valueString":")";
  const std::string close = R"("})";
  std::string json = R"({"resourceType":"Patient","name":[{"family":"Groot"}],"extension":[)";
  const std::size_t end_size = 2;  // "]}"
  bool first = true;
  while (first || json.size() + end_size < bytes) {
    if (!first) json += ",";
    first = false;
    const std::size_t used = json.size() + open.size() + close.size() + end_size;
    const std::size_t piece = bytes > used ? std::min(bytes - used, kMaxPiece) : 1;
    json += open + std::string(piece, 'x') + close;
  }
  return json + "]}";
}

TEST_F(BodyLimitTest, BodiesOverTheLimitAre413) {
  Response small = client().Post(Fhir("Patient"), PatientOfSize(900));
  EXPECT_EQ(small.status, 201) << small;

  Response large = client().Post(Fhir("Patient"), PatientOfSize(4096));
  EXPECT_EQ(large.status, 413) << large;
  EXPECT_TRUE(IsOperationOutcome(large));

  // Chunked bodies count too.
  const std::string body = PatientOfSize(4096);
  std::ostringstream chunked;
  chunked << "POST /fhir/Patient HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          << "Content-Type: application/fhir+json\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (std::size_t at = 0; at < body.size(); at += 500) {
    const std::string chunk = body.substr(at, 500);
    chunked << std::hex << chunk.size() << "\r\n" << chunk << "\r\n";
  }
  chunked << "0\r\n\r\n";
  Response raw = SendRaw(server().port(), chunked.str());
  EXPECT_EQ(raw.status, 413) << raw;

  // Still serving, and only the small one was stored.
  HistoryPage page = ParseHistoryPage(client().Get(Fhir("Patient/_history")));
  ASSERT_TRUE(page.error.empty()) << page.error;
  EXPECT_EQ(page.entries.size(), 1u);
}

TEST_F(HttpTest, DefaultBodyLimitTakesMegabytes) {
  const std::string body = PatientOfSize(2 * 1024 * 1024);
  ASSERT_GE(body.size(), 2u * 1024 * 1024);
  Response response = client().Post(Fhir("Patient"), body);
  EXPECT_EQ(response.status, 201) << response;
}

TEST_F(HttpTest, HeadersOver16KBAre431) {
  Response ok = client().Get(Fhir("metadata"), {{"X-Padding", std::string(10 * 1024, 'p')}});
  EXPECT_EQ(ok.status, 200) << ok;
  Response large = client().Get(Fhir("metadata"), {{"X-Padding", std::string(20 * 1024, 'p')}});
  EXPECT_EQ(large.status, 431) << large;
  EXPECT_TRUE(IsOperationOutcome(large));

  // The limit is on the whole header section, not on one field.
  HeaderList many;
  for (int i = 0; i < 40; ++i)
    many.emplace_back("X-Pad-" + std::to_string(i), std::string(500, 'p'));
  Response total = client().Get(Fhir("metadata"), many);
  EXPECT_EQ(total.status, 431) << total;
  EXPECT_TRUE(IsOperationOutcome(total));
  EXPECT_EQ(client().Get(Fhir("metadata")).status, 200);
}

TEST_F(HttpTest, MalformedRequestLinesAre400) {
  const char* kRequests[] = {
      "THIS IS NOT HTTP\r\n\r\n",
      "GET\r\n\r\n",
      "GET /fhir/metadata HTTP/x.y\r\nHost: 127.0.0.1\r\n\r\n",
      "GET /fhir/metadata HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n",
  };
  for (const char* raw : kRequests) {
    SCOPED_TRACE(raw);
    Response response = SendRaw(server().port(), raw);
    EXPECT_EQ(response.status, 400) << response;
    EXPECT_TRUE(IsOperationOutcome(response));
  }
  EXPECT_EQ(client().Get(Fhir("metadata")).status, 200);
}

TEST_F(HttpTest, KeepAliveServesAHundredRequestsOnOneConnection) {
  for (int i = 0; i < 100; ++i) {
    Response response = i % 10 == 0 ? client().Post(Fhir("Patient"), PatientJson("Verbonden"))
                                    : client().Get(Fhir("metadata"));
    ASSERT_EQ(response.status, i % 10 == 0 ? 201 : 200) << "request " << i << response;
  }
  EXPECT_EQ(client().connect_count(), 1);
}

// RFC 9112 9.3.2: pipelined requests are answered in order.
TEST_F(HttpTest, PipelinedRequestsAreAnsweredInOrder) {
  const std::string id = CreatePatient("Pijplijn");
  ASSERT_FALSE(id.empty());
  const std::string kHost = "Host: 127.0.0.1\r\n";
  const std::string body = PatientJson("Pijplijn2", id);
  const std::string raw =
      "GET /fhir/Patient/" + id + " HTTP/1.1\r\n" + kHost + "\r\n" + "PUT /fhir/Patient/" + id +
      " HTTP/1.1\r\n" + kHost +
      "Content-Type: application/fhir+json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body + "GET /fhir/Patient/missing HTTP/1.1\r\n" + kHost + "\r\n" +
      "GET /fhir/Patient/" + id + " HTTP/1.1\r\n" + kHost + "Connection: close\r\n\r\n";
  std::vector<Response> responses = SendRawReadMany(server().port(), raw, 4);
  ASSERT_EQ(responses.size(), 4u) << responses.back();
  EXPECT_EQ(responses[0].status, 200) << responses[0];
  EXPECT_EQ(responses[0].Header("ETag"), "W/\"1\"");
  EXPECT_EQ(responses[1].status, 200) << responses[1];
  EXPECT_EQ(responses[1].Header("ETag"), "W/\"2\"");
  EXPECT_EQ(responses[2].status, 404) << responses[2];
  EXPECT_EQ(responses[3].status, 200) << responses[3];
  EXPECT_EQ(StringAt(ParseJson(responses[3].body), "/name/0/family"), "Pijplijn2");
}

TEST_F(HttpTest, RequestIdIsEchoedOrGenerated) {
  const std::string kValid[] = {"abc-123.DEF_4", std::string(64, 'r')};
  for (const std::string& id : kValid) {
    Response response = client().Get(Fhir("metadata"), {{"X-Request-Id", id}});
    EXPECT_EQ(response.Header("X-Request-Id"), id) << response;
  }
  Response error = client().Get(Fhir("Patient/missing"), {{"X-Request-Id", "err-1"}});
  EXPECT_EQ(error.status, 404);
  EXPECT_EQ(error.Header("X-Request-Id"), "err-1") << error;

  Response first = client().Get(Fhir("metadata"));
  Response second = client().Get(Fhir("metadata"));
  EXPECT_FALSE(first.Header("X-Request-Id").empty()) << first;
  EXPECT_FALSE(second.Header("X-Request-Id").empty()) << second;
  EXPECT_NE(first.Header("X-Request-Id"), second.Header("X-Request-Id"));

  const std::string kInvalid[] = {std::string(65, 'r'), "has space", "semi;colon", "quote\"d"};
  for (const std::string& id : kInvalid) {
    SCOPED_TRACE(id);
    Response response = client().Get(Fhir("metadata"), {{"X-Request-Id", id}});
    EXPECT_EQ(response.status, 200) << response;
    EXPECT_FALSE(response.Header("X-Request-Id").empty()) << response;
    EXPECT_NE(response.Header("X-Request-Id"), id) << response;
  }
}

// Waits until the server's stderr has a line containing every one of `parts`; returns it or "".
std::string AwaitLogLine(const ServerProcess& process, const std::vector<std::string>& parts) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (true) {
    std::istringstream log(process.StderrLog());
    for (std::string line; std::getline(log, line);) {
      bool all = true;
      for (const std::string& part : parts) all = all && line.find(part) != std::string::npos;
      if (all) return line;
    }
    if (std::chrono::steady_clock::now() > deadline) return {};
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

TEST_F(HttpTest, AccessLogHasOneLinePerRequestWithoutTheQuery) {
  Response missing = client().Get(Fhir("Patient/log-probe?_pretty=true&secret=hunter2"));
  ASSERT_EQ(missing.status, 404) << missing;
  std::string line = AwaitLogLine(
      server(), {"event=request", "method=GET", "path=/fhir/Patient/log-probe", "status=404"});
  ASSERT_FALSE(line.empty()) << "no access log line; stderr:\n" << server().StderrLog();
  EXPECT_NE(line.find("bytes="), std::string::npos) << line;
  EXPECT_NE(line.find("us="), std::string::npos) << line;
  EXPECT_EQ(line.find("hunter2"), std::string::npos) << line;
  EXPECT_EQ(line.find("_pretty"), std::string::npos) << line;
  EXPECT_EQ(server().StderrLog().find("hunter2"), std::string::npos);

  Response created = client().Post(Fhir("Patient"), PatientJson("Logboek"));
  ASSERT_EQ(created.status, 201) << created;
  EXPECT_FALSE(
      AwaitLogLine(server(), {"event=request", "method=POST", "path=/fhir/Patient", "status=201"})
          .empty())
      << server().StderrLog();
}

TEST_F(HttpTest, SigtermOnAnIdleServerExitsZero) {
  ASSERT_EQ(client().Get(Fhir("metadata")).status, 200);
  ExitStatus status = server().Stop(std::chrono::seconds(10));
  EXPECT_TRUE(status.Clean()) << status.ToString();
}

TEST(ServeOptionsTest, BaseUrlIsUsedInLocationFullUrlAndLinks) {
  const std::string kBase = "https://fhir.example.org/r4";
  ServerProcessOptions options;
  options.extra_args = {"--base-url", kBase};
  ServerProcess process(options);
  const std::string error = process.Start();
  ASSERT_TRUE(error.empty()) << error;
  HttpClient client(process.port());

  Response created = client.Post("/fhir/Patient", PatientJson("Basis"));
  ASSERT_EQ(created.status, 201) << created;
  const std::string id = ParseLocation(created.Header("Location")).id;
  EXPECT_EQ(created.Header("Location"), kBase + "/Patient/" + id + "/_history/1");
  ASSERT_EQ(client.Put("/fhir/Patient/" + id, PatientJson("Basis", id)).status, 200);

  Response history = client.Get("/fhir/Patient/" + id + "/_history?_count=1");
  HistoryPage page = ParseHistoryPage(history);
  ASSERT_TRUE(page.error.empty()) << page.error;
  ASSERT_EQ(page.entries.size(), 1u);
  EXPECT_EQ(page.entries[0].full_url, kBase + "/Patient/" + id);
  EXPECT_EQ(page.self.rfind(kBase + "/", 0), 0u) << page.self;
  EXPECT_EQ(page.next.rfind(kBase + "/", 0), 0u) << page.next;
}

TEST(ServeOptionsTest, ThreadsAndLogLevelOptionsAreAccepted) {
  const std::vector<std::vector<std::string>> kArgs = {
      {"--threads", "1"},
      {"--threads", "4"},
      {"--log-level", "debug"},
      {"--log-level", "info"},
      {"--log-level", "warn"},
      {"--log-level", "error"},
      {"--max-body-bytes", "65536", "--threads", "2", "--log-level", "warn"},
  };
  for (const auto& args : kArgs) {
    std::string label;
    for (const std::string& arg : args) label += arg + " ";
    SCOPED_TRACE(label);
    ServerProcessOptions options;
    options.extra_args = args;
    ServerProcess process(options);
    const std::string error = process.Start();
    ASSERT_TRUE(error.empty()) << error;
    HttpClient client(process.port());
    Response created = client.Post("/fhir/Patient", PatientJson("Optie"));
    EXPECT_EQ(created.status, 201) << created;
    EXPECT_EQ(client.Get("/fhir/metadata").status, 200);
    ExitStatus status = process.Stop(std::chrono::seconds(10));
    EXPECT_TRUE(status.Clean()) << status.ToString();
  }
}

}  // namespace
}  // namespace schakel::integration
