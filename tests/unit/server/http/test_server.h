// Test harness for the HTTP server: a Server on 127.0.0.1 and an ephemeral port, run on a
// background thread, logging (at debug level) into a temporary file the test can read, and a
// small application (TestApp) with routes that answer at once, later from another thread,
// never until released, twice, or by throwing.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "server/http/message.h"
#include "server/http/server.h"
#include "server/log/logger.h"

namespace schakel::server::http::testing {

inline ServerOptions TestOptions() {
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  options.handle_signals = false;
  options.server_header = "Schakel-Test";
  options.read_timeout = std::chrono::seconds(5);
  options.idle_timeout = std::chrono::seconds(5);
  options.shutdown_grace = std::chrono::seconds(5);
  return options;
}

inline Response TextResponse(int status, std::string body) {
  Response response;
  response.status = status;
  response.headers.push_back({"Content-Type", "text/plain"});
  response.body = std::move(body);
  return response;
}

inline Response TestErrorResponse(int status, const std::string& message) {
  return TextResponse(status, "error " + std::to_string(status) + ": " + message);
}

// Routes (by path, the query is ignored):
//   /slow    answers "slow" 200 ms later, from another thread
//   /hold    answers when the test calls Release()
//   /throw   throws
//   /drop    never answers (destroys its Respond)
//   /twice   calls respond twice
//   /inject  sets a header whose value tries to split the response
//   anything else echoes "METHOD TARGET|BODY" with X-Request-Id: req-1
class TestApp {
 public:
  ~TestApp() { Finish(); }

  Handler handler() {
    return [this](const Request& request, Respond respond) { Handle(request, std::move(respond)); };
  }

  int calls() {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }

  // Waits until a /hold request is held.
  bool WaitForHeld(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock<std::mutex> lock(mutex_);
    return cv_.wait_for(lock, timeout, [this] { return held_.has_value(); });
  }

  void Release(Response response) {
    std::optional<Respond> held;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      held.swap(held_);
    }
    if (held) (*held)(std::move(response));
  }

  // Joins the helper threads and drops a held Respond; call before the Server is destroyed.
  void Finish() {
    std::vector<std::thread> threads;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      threads.swap(threads_);
      held_.reset();
    }
    for (auto& t : threads) t.join();
  }

 private:
  void Handle(const Request& request, Respond respond) {
    std::string path = request.target.substr(0, request.target.find('?'));
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++calls_;
    }
    if (path == "/slow") {
      std::lock_guard<std::mutex> lock(mutex_);
      threads_.emplace_back([respond = std::move(respond)] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        respond(TextResponse(200, "slow"));
      });
      return;
    }
    if (path == "/hold") {
      std::lock_guard<std::mutex> lock(mutex_);
      held_ = std::move(respond);
      cv_.notify_all();
      return;
    }
    if (path == "/throw") throw std::runtime_error("boom");
    if (path == "/drop") return;  // destroys respond without calling it
    if (path == "/twice") {
      respond(TextResponse(200, "first"));
      respond(TextResponse(200, "second"));
      return;
    }
    if (path == "/inject") {
      Response response = TextResponse(200, "injected");
      response.headers.push_back({"X-Evil", "a\r\nSet-Cookie: stolen=1"});
      response.headers.push_back({"X-Good", "fine"});
      respond(std::move(response));
      return;
    }
    Response response =
        TextResponse(200, request.method + " " + request.target + "|" + request.body);
    response.SetHeader("X-Request-Id", "req-1");
    response.SetHeader("X-Remote", request.remote_address);
    respond(std::move(response));
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  int calls_ = 0;
  std::vector<std::thread> threads_;
  std::optional<Respond> held_;
};

// A Server listening and running on a background thread. The destructor stops it and waits.
class TestServer {
 public:
  TestServer(ServerOptions options, Handler handler)
      : log_path_(MakeLogPath()),
        log_file_(std::fopen(log_path_.c_str(), "w")),
        logger_(LogLevel::kDebug, log_file_),
        server_(std::move(options), std::move(handler), TestErrorResponse, logger_) {
    auto port = server_.Listen();
    if (!port.ok()) {
      ADD_FAILURE() << "Listen failed: " << port.status().ToString();
      return;
    }
    port_ = *port;
    thread_ = std::thread([this] {
      server_.Run();
      std::lock_guard<std::mutex> lock(mutex_);
      stopped_ = true;
      cv_.notify_all();
    });
  }

  ~TestServer() {
    Stop();
    if (thread_.joinable()) {
      if (!WaitUntilStopped(std::chrono::seconds(20))) {
        std::fprintf(stderr, "HTTP server did not stop; aborting\n");
        std::abort();
      }
      thread_.join();
    }
    std::fclose(log_file_);
    ::unlink(log_path_.c_str());
  }

  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  std::uint16_t port() const { return port_; }
  Server& server() { return server_; }
  void Stop() { server_.Stop(); }

  // True once Run() has returned.
  bool WaitUntilStopped(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    return cv_.wait_for(lock, timeout, [this] { return stopped_; });
  }

  std::string Log() const {
    std::ifstream in(log_path_);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  // The first log line containing every needle, waiting up to `timeout` for it to appear (the
  // access log line is written after the response, so the client may see it first).
  std::string WaitForLogLine(const std::vector<std::string>& needles,
                             std::chrono::milliseconds timeout = std::chrono::seconds(5)) const {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      std::istringstream lines(Log());
      std::string line;
      while (std::getline(lines, line)) {
        bool all = true;
        for (const auto& needle : needles) all = all && line.find(needle) != std::string::npos;
        if (all) return line;
      }
      if (std::chrono::steady_clock::now() > deadline) return {};
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

 private:
  static std::string MakeLogPath() {
    char path[] = "/tmp/schakel_http_test_XXXXXX";
    int fd = ::mkstemp(path);
    if (fd >= 0) ::close(fd);
    return path;
  }

  std::string log_path_;
  std::FILE* log_file_;
  Logger logger_;
  Server server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopped_ = false;
};

}  // namespace schakel::server::http::testing
