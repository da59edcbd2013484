#include "server/http/server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/unit/server/http/test_client.h"
#include "tests/unit/server/http/test_server.h"

namespace schakel::server::http {
namespace {

using testing::RawConnection;
using testing::TestApp;
using testing::TestOptions;
using testing::TestServer;
using testing::TextResponse;

std::string Get(const std::string& target, const std::string& extra_headers = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: test\r\n" + extra_headers + "\r\n";
}

std::string Post(const std::string& target, const std::string& body) {
  return "POST " + target + " HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void Start(ServerOptions options = TestOptions()) {
    server_ = std::make_unique<TestServer>(std::move(options), app_.handler());
    ASSERT_NE(server_->port(), 0);
  }

  void TearDown() override {
    if (server_) server_->Stop();
    app_.Finish();    // joins the app's threads, drops a held Respond
    server_.reset();  // waits for Run() to return
  }

  std::uint16_t port() const { return server_->port(); }

  TestApp app_;
  std::unique_ptr<TestServer> server_;
};

TEST_F(HttpServerTest, GetRoundTrip) {
  Start();
  RawConnection c(port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send(Get("/fhir/Patient/1?_pretty=true")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "GET /fhir/Patient/1?_pretty=true|");
  EXPECT_EQ(r->Header("Content-Length"), std::to_string(r->body.size()));
  EXPECT_EQ(r->Header("Server"), "Schakel-Test");
  EXPECT_EQ(r->Header("Content-Type"), "text/plain");
  EXPECT_EQ(r->Header("X-Remote"), "127.0.0.1");
  std::string date = r->Header("Date");
  EXPECT_EQ(date.size(), 29u) << date;  // "Sun, 06 Nov 1994 08:49:37 GMT"
  EXPECT_EQ(date.substr(date.size() - 4), " GMT");
  EXPECT_FALSE(r->HasHeader("Connection"));  // HTTP/1.1 keep-alive is the default
}

TEST_F(HttpServerTest, PostRoundTrip) {
  Start();
  RawConnection c(port());
  ASSERT_TRUE(c.Send(Post("/fhir/Patient", R"({"resourceType":"Patient"})")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"(POST /fhir/Patient|{"resourceType":"Patient"})");
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequests) {
  Start();
  RawConnection c(port());
  for (int i = 0; i < 5; ++i) {
    std::string target = "/r/" + std::to_string(i);
    ASSERT_TRUE(c.Send(i % 2 == 0 ? Get(target) : Post(target, "b" + std::to_string(i))));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r) << "request " << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, (i % 2 == 0 ? "GET " : "POST ") + target + "|" +
                           (i % 2 == 0 ? "" : "b" + std::to_string(i)));
  }
  EXPECT_EQ(app_.calls(), 5);
}

TEST_F(HttpServerTest, PipelinedResponsesStayInOrder) {
  Start();
  RawConnection c(port());
  // The first is answered 200 ms later from another thread; the second at once. The second must
  // wait in the buffer until the first response is written.
  ASSERT_TRUE(c.Send(Get("/slow") + Post("/second", "2") + Get("/third")));
  auto first = c.ReadResponse();
  auto second = c.ReadResponse();
  auto third = c.ReadResponse();
  ASSERT_TRUE(first && second && third);
  EXPECT_EQ(first->body, "slow");
  EXPECT_EQ(second->body, "POST /second|2");
  EXPECT_EQ(third->body, "GET /third|");
}

TEST_F(HttpServerTest, ContentLengthBeyondLimitGets413WithoutReadingTheBody) {
  ServerOptions options = TestOptions();
  options.max_body_bytes = 1024;
  Start(options);
  RawConnection c(port());
  ASSERT_TRUE(
      c.Send("POST /fhir/Patient HTTP/1.1\r\nHost: test\r\nContent-Length: 100000\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_NE(r->body.find("error 413"), std::string::npos) << r->body;  // from the ErrorResponder
  EXPECT_TRUE(c.WaitForClose());
  EXPECT_EQ(app_.calls(), 0);
}

TEST_F(HttpServerTest, ChunkedBodyBeyondLimitGets413) {
  ServerOptions options = TestOptions();
  options.max_body_bytes = 1024;
  Start(options);
  RawConnection c(port());
  std::string request =
      "POST /fhir/Patient HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) request += "200\r\n" + std::string(512, 'x') + "\r\n";
  ASSERT_TRUE(c.Send(request));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_TRUE(c.WaitForClose());
  EXPECT_EQ(app_.calls(), 0);
}

TEST_F(HttpServerTest, ChunkedBodyWithinLimitIsDecoded) {
  Start();
  RawConnection c(port());
  ASSERT_TRUE(
      c.Send("POST /c HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
             "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "POST /c|hello world");
  // Still usable afterwards.
  ASSERT_TRUE(c.Send(Get("/after")));
  auto after = c.ReadResponse();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->body, "GET /after|");
}

TEST_F(HttpServerTest, HeaderBeyondLimitGets431) {
  ServerOptions options = TestOptions();
  options.max_header_bytes = 1024;
  Start(options);
  RawConnection c(port());
  ASSERT_TRUE(c.Send(Get("/big", "X-Big: " + std::string(2000, 'a') + "\r\n")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_TRUE(c.WaitForClose());
  EXPECT_EQ(app_.calls(), 0);
}

TEST_F(HttpServerTest, MalformedRequestsGet400AndClose) {
  Start();
  const struct {
    const char* name;
    std::string request;
    int status;
  } cases[] = {
      {"garbage request line", "GARBAGE\r\n\r\n", 400},
      {"no method", " / HTTP/1.1\r\nHost: test\r\n\r\n", 400},
      {"bad version", "GET / HTTX/1.1\r\nHost: test\r\n\r\n", 400},
      {"field without colon", "GET / HTTP/1.1\r\nHost: test\r\nNo colon here\r\n\r\n", 400},
      {"bad content length", "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: abc\r\n\r\n", 400},
      {"two content lengths",
       "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400},
      {"bad chunk size",
       "POST / HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n", 400},
      {"Content-Length and chunked",
       "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n"
       "\r\n0\r\n\r\n",
       400},
      {"Transfer-Encoding not ending in chunked",
       "POST / HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: gzip\r\n\r\nGET /smuggled HTTP/1.1\r\n"
       "Host: test\r\n\r\n",
       400},
      {"missing Host", "GET / HTTP/1.1\r\n\r\n", 400},
      {"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400},
  };
  for (const auto& test : cases) {
    SCOPED_TRACE(test.name);
    RawConnection c(port());
    ASSERT_TRUE(c.Send(test.request));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, test.status);
    EXPECT_EQ(r->Header("Connection"), "close");
    EXPECT_TRUE(c.WaitForClose());
  }
  EXPECT_EQ(app_.calls(), 0);
  // And the server still serves.
  RawConnection c(port());
  ASSERT_TRUE(c.Send(Get("/ok")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpServerTest, RandomBytesNeverBreakTheServer) {
  Start();
  std::mt19937 random(20240229);  // fixed seed: the same inputs on every run
  std::string alphabet = "GETPOST /HTP1.0:\r\n\r\nHost:Content-Length:chunked 0123456789abc\t";
  alphabet += '\0';
  alphabet += '\xff';
  for (int i = 0; i < 100; ++i) {
    std::string input = i % 2 == 0 ? "POST / HTTP/1.1\r\nHost: x\r\n" : "";
    std::size_t length = 1 + random() % 300;
    for (std::size_t j = 0; j < length; ++j) input += alphabet[random() % alphabet.size()];
    RawConnection c(port());
    ASSERT_TRUE(c.connected());
    c.Send(input);  // the server may already have answered and closed
    c.ShutdownWrite();
    EXPECT_TRUE(c.WaitForClose()) << "input " << i;
  }
  RawConnection c(port());
  ASSERT_TRUE(c.Send(Get("/still/here")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(HttpServerTest, ExpectContinueGets100BeforeTheBody) {
  Start();
  RawConnection c(port());
  ASSERT_TRUE(
      c.Send("PUT /fhir/Patient/1 HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\n"
             "Content-Length: 5\r\n\r\n"));
  auto interim = c.ReadResponse();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.Send("hello"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "PUT /fhir/Patient/1|hello");
}

TEST_F(HttpServerTest, ExpectContinueWithBodyBeyondLimitGets413Only) {
  ServerOptions options = TestOptions();
  options.max_body_bytes = 10;
  Start(options);
  RawConnection c(port());
  ASSERT_TRUE(
      c.Send("PUT /fhir/Patient/1 HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\n"
             "Content-Length: 11\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(c.WaitForClose());
}

TEST_F(HttpServerTest, HeadHasContentLengthButNoBody) {
  Start();
  RawConnection c(port());
  ASSERT_TRUE(c.Send("HEAD /fhir/metadata HTTP/1.1\r\nHost: test\r\n\r\n"));
  auto r = c.ReadResponse(/*head=*/true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("Content-Length"),
            std::to_string(std::string("HEAD /fhir/metadata|").size()));
  // No body bytes may follow: the next response must start right away.
  ASSERT_TRUE(c.Send(Get("/next")));
  auto next = c.ReadResponse();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, "GET /next|");
}

TEST_F(HttpServerTest, HandlerExceptionGets500AndServerKeepsServing) {
  Start();
  RawConnection c(port());
  ASSERT_TRUE(c.Send(Get("/throw")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_NE(r->body.find("error 500"), std::string::npos);
  ASSERT_TRUE(c.Send(Get("/after")));
  auto after = c.ReadResponse();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
  EXPECT_FALSE(server_->WaitForLogLine({"event=handler_exception", "error=boom"}).empty());
}

TEST_F(HttpServerTest, DroppedRespondClosesTheConnection) {
  Start();
  RawConnection c(port());
  ASSERT_TRUE(c.Send(Get("/drop")));
  EXPECT_TRUE(c.WaitForClose());
  EXPECT_TRUE(c.pending().empty());
  EXPECT_FALSE(server_->WaitForLogLine({"level=error", "event=response_never_sent"}).empty());
}

TEST_F(HttpServerTest, EmptyLinesBetweenRequestsAreIgnored) {
  Start();
  RawConnection c(port());
  ASSERT_TRUE(c.Send(Post("/one", "1") + "\r\n" + Get("/two")));
  auto one = c.ReadResponse();
  auto two = c.ReadResponse();
  ASSERT_TRUE(one && two);
  EXPECT_EQ(one->body, "POST /one|1");
  EXPECT_EQ(two->body, "GET /two|");
  ASSERT_TRUE(c.Send("\r\n"));  // alone, then the request later
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(c.Send(Get("/three")));
  auto three = c.ReadResponse();
  ASSERT_TRUE(three);
  EXPECT_EQ(three->body, "GET /three|");
}

TEST_F(HttpServerTest, SecondRespondIsIgnoredAndLogged) {
  Start();
  RawConnection c(port());
  ASSERT_TRUE(c.Send(Get("/twice")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "first");
  ASSERT_TRUE(c.Send(Get("/after")));
  auto after = c.ReadResponse();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->body, "GET /after|");
  EXPECT_FALSE(server_->WaitForLogLine({"level=error", "event=respond_called_twice"}).empty());
}

TEST_F(HttpServerTest, InvalidResponseHeaderIsDropped) {
  Start();
  RawConnection c(port());
  ASSERT_TRUE(c.Send(Get("/inject")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(r->HasHeader("X-Evil"));
  EXPECT_FALSE(r->HasHeader("Set-Cookie"));
  EXPECT_EQ(r->Header("X-Good"), "fine");
  EXPECT_EQ(r->body, "injected");
}

TEST_F(HttpServerTest, ConnectionCloseFromClientClosesAfterResponse) {
  Start();
  RawConnection c(port());
  ASSERT_TRUE(c.Send(Get("/bye", "Connection: close\r\n")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_TRUE(c.WaitForClose());
}

TEST_F(HttpServerTest, Http10ClosesUnlessKeepAlive) {
  Start();
  {
    RawConnection c(port());
    ASSERT_TRUE(c.Send("GET /old HTTP/1.0\r\n\r\n"));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->Header("Connection"), "close");
    EXPECT_TRUE(c.WaitForClose());
  }
  RawConnection c(port());
  ASSERT_TRUE(c.Send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("Connection"), "keep-alive");
  ASSERT_TRUE(c.Send("GET /again HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto again = c.ReadResponse();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, "GET /again|");
}

TEST_F(HttpServerTest, AccessLogLineOmitsQueryString) {
  Start();
  RawConnection c(port());
  ASSERT_TRUE(c.Send(Get("/fhir/Patient?identifier=secret-ssn-123")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  std::string line = server_->WaitForLogLine({"event=request", "path=/fhir/Patient"});
  ASSERT_FALSE(line.empty()) << server_->Log();
  EXPECT_NE(line.find("level=info"), std::string::npos) << line;
  EXPECT_NE(line.find(" method=GET"), std::string::npos) << line;
  EXPECT_NE(line.find(" status=200"), std::string::npos) << line;
  EXPECT_NE(line.find(" bytes=" + std::to_string(r->body.size())), std::string::npos) << line;
  EXPECT_NE(line.find(" us="), std::string::npos) << line;
  EXPECT_NE(line.find(" remote=127.0.0.1"), std::string::npos) << line;
  EXPECT_NE(line.find(" request_id=req-1"), std::string::npos) << line;
  EXPECT_EQ(server_->Log().find("secret"), std::string::npos);
}

TEST_F(HttpServerTest, StopWhileRequestInFlightStillAnswers) {
  Start();
  RawConnection c(port());
  ASSERT_TRUE(c.Send(Get("/hold")));
  ASSERT_TRUE(app_.WaitForHeld());
  server_->Stop();
  server_->Stop();  // idempotent
  // The pending response keeps the server running.
  EXPECT_FALSE(server_->WaitUntilStopped(std::chrono::milliseconds(100)));
  // Released from this (non-I/O) thread, as a database writer would.
  app_.Release(TextResponse(201, "created"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "created");
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_TRUE(c.WaitForClose());
  EXPECT_TRUE(server_->WaitUntilStopped(std::chrono::seconds(5)));
  // No new connections after the shutdown.
  RawConnection late(port());
  EXPECT_FALSE(late.connected() && late.Send(Get("/late")) && late.ReadResponse());
}

TEST_F(HttpServerTest, StopClosesIdleConnections) {
  Start();
  RawConnection used(port());
  ASSERT_TRUE(used.Send(Get("/one")));
  ASSERT_TRUE(used.ReadResponse());
  RawConnection silent(port());
  ASSERT_TRUE(silent.connected());
  // Make sure the silent connection has been accepted: a third one completes a request.
  RawConnection probe(port());
  ASSERT_TRUE(probe.Send(Get("/probe")));
  ASSERT_TRUE(probe.ReadResponse());
  auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_TRUE(used.WaitForClose());
  EXPECT_TRUE(silent.WaitForClose());
  EXPECT_TRUE(probe.WaitForClose());
  EXPECT_TRUE(server_->WaitUntilStopped(std::chrono::seconds(5)));
  // Well before the 5 s idle timeout and shutdown grace.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST_F(HttpServerTest, GraceExpiryClosesStuckRequests) {
  ServerOptions options = TestOptions();
  options.shutdown_grace = std::chrono::seconds(1);
  Start(options);
  RawConnection c(port());
  ASSERT_TRUE(c.Send(Get("/hold")));
  ASSERT_TRUE(app_.WaitForHeld());
  server_->Stop();
  EXPECT_TRUE(c.WaitForClose());
  EXPECT_TRUE(server_->WaitUntilStopped(std::chrono::seconds(5)));
  // A response after Run() returned is dropped harmlessly.
  app_.Release(TextResponse(200, "too late"));
  EXPECT_FALSE(server_->WaitForLogLine({"event=shutdown_grace_expired"}).empty());
}

TEST_F(HttpServerTest, ReadTimeoutClosesHalfSentRequest) {
  ServerOptions options = TestOptions();
  options.read_timeout = std::chrono::seconds(1);
  Start(options);
  RawConnection c(port());
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(c.Send("GET /slowloris HTTP/1.1\r\nHost: test\r\nX-Partial: "));
  EXPECT_TRUE(c.WaitForClose());
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, std::chrono::milliseconds(900));
  EXPECT_LT(elapsed, std::chrono::seconds(4));
  EXPECT_EQ(app_.calls(), 0);
}

TEST_F(HttpServerTest, IdleTimeoutClosesKeepAliveConnection) {
  ServerOptions options = TestOptions();
  options.idle_timeout = std::chrono::seconds(1);
  Start(options);
  RawConnection c(port());
  ASSERT_TRUE(c.Send(Get("/once")));
  ASSERT_TRUE(c.ReadResponse());
  EXPECT_TRUE(c.WaitForClose());
}

TEST_F(HttpServerTest, ConnectionsBeyondTheLimitAreClosed) {
  ServerOptions options = TestOptions();
  options.max_connections = 2;
  Start(options);
  RawConnection a(port());
  RawConnection b(port());
  ASSERT_TRUE(a.Send(Get("/a")));
  ASSERT_TRUE(a.ReadResponse());
  ASSERT_TRUE(b.Send(Get("/b")));
  ASSERT_TRUE(b.ReadResponse());
  RawConnection refused(port());
  refused.Send(Get("/c"));  // may fail if the close is already there
  EXPECT_TRUE(refused.WaitForClose());
  EXPECT_TRUE(refused.pending().empty());
  // Once a connection goes, a new one is served again.
  ASSERT_TRUE(a.Send(Get("/a", "Connection: close\r\n")));
  ASSERT_TRUE(a.ReadResponse());
  ASSERT_TRUE(a.WaitForClose());
  for (int attempt = 0;; ++attempt) {  // the server may not have seen a's close yet
    RawConnection again(port());
    if (again.Send(Get("/again"))) {
      if (auto r = again.ReadResponse()) {
        EXPECT_EQ(r->status, 200);
        break;
      }
    }
    ASSERT_LT(attempt, 50);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

TEST(HttpServerLifecycleTest, ListenFailsWhenThePortIsTaken) {
  TestApp app;
  TestServer first(TestOptions(), app.handler());
  ServerOptions options = TestOptions();
  options.port = first.port();
  Logger logger(LogLevel::kError, stderr);
  Server second(options, app.handler(), testing::TestErrorResponse, logger);
  auto port = second.Listen();
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.status().code(), fhir::Code::kUnavailable);
  EXPECT_NE(port.status().ToString().find("in use"), std::string::npos) << port.status().ToString();
}

TEST(HttpServerLifecycleTest, StopBeforeRunMakesRunReturn) {
  TestApp app;
  std::FILE* devnull = std::fopen("/dev/null", "w");
  ASSERT_NE(devnull, nullptr);
  {
    Logger logger(LogLevel::kDebug, devnull);
    Server server(TestOptions(), app.handler(), testing::TestErrorResponse, logger);
    ASSERT_TRUE(server.Listen().ok());
    server.Stop();
    server.Run();  // returns: nothing to wait for
  }
  std::fclose(devnull);
}

TEST(HttpServerLifecycleTest, RunOnSeveralThreadsReturnsOnAll) {
  TestApp app;
  ServerOptions options = TestOptions();
  options.threads = 4;
  TestServer server(options, app.handler());
  std::vector<std::unique_ptr<RawConnection>> connections;
  for (int i = 0; i < 8; ++i) {
    connections.push_back(std::make_unique<RawConnection>(server.port()));
    ASSERT_TRUE(connections.back()->Send(Get("/slow") + Get("/n/" + std::to_string(i))));
  }
  for (int i = 0; i < 8; ++i) {
    auto slow = connections[static_cast<std::size_t>(i)]->ReadResponse();
    auto next = connections[static_cast<std::size_t>(i)]->ReadResponse();
    ASSERT_TRUE(slow && next);
    EXPECT_EQ(slow->body, "slow");
    EXPECT_EQ(next->body, "GET /n/" + std::to_string(i) + "|");
  }
  server.Stop();
  EXPECT_TRUE(server.WaitUntilStopped(std::chrono::seconds(5)));
  app.Finish();
}

}  // namespace
}  // namespace schakel::server::http
