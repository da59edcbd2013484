// Durability and shutdown: acknowledged writes survive SIGKILL; SIGTERM drains in-flight requests
// and exits 0.
#include <atomic>
#include <chrono>
#include <csignal>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "integration/test_support.h"

namespace schakel::integration {
namespace {

using CrashTest = ServerTest;

struct Acknowledged {
  std::string location;
  std::string family;
};

// Runs `threads` writers that POST Patients with unique family names until `stop`, recording
// every 201. Writers also stop on their own once the server is gone.
class CreateLoad {
 public:
  // `truncation_is_bad`: a response cut off half-way counts as a failure (not after SIGKILL).
  CreateLoad(std::uint16_t port, int threads, std::chrono::milliseconds pause,
             bool truncation_is_bad)
      : port_(port), pause_(pause), truncation_is_bad_(truncation_is_bad) {
    for (int t = 0; t < threads; ++t) threads_.emplace_back([this, t] { Run(t); });
  }
  ~CreateLoad() { Join(); }

  void Join() {
    stop_ = true;
    for (std::thread& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }
  int responses() const { return responses_.load(); }

  std::mutex mutex;
  std::vector<Acknowledged> acknowledged;  // guarded by mutex
  std::vector<std::string> bad;            // responses that must not happen; guarded by mutex

 private:
  void Run(int t) {
    HttpClient client(port_, std::chrono::seconds(20));
    int consecutive_transport_errors = 0;
    for (int i = 0; !stop_ && consecutive_transport_errors < 3; ++i) {
      const std::string family = "Crash-" + std::to_string(t) + "-" + std::to_string(i);
      Response response = client.Post("/fhir/Patient", PatientJson(family));
      if (!response.complete()) {
        ++consecutive_transport_errors;
        if (truncation_is_bad_ && response.transport == TransportError::kPartialResponse) {
          std::lock_guard<std::mutex> lock(mutex);
          bad.push_back("truncated response: " + response.Describe());
        }
        continue;
      }
      consecutive_transport_errors = 0;
      ++responses_;
      std::lock_guard<std::mutex> lock(mutex);
      if (response.status == 201) {
        acknowledged.push_back({response.Header("Location"), family});
        if (!IsResource(response, "Patient")) bad.push_back("bad 201 body: " + response.Describe());
      } else if (response.status != 503) {
        bad.push_back(response.Describe());
      }
      if (pause_.count() > 0) std::this_thread::sleep_for(pause_);
    }
  }

  std::uint16_t port_;
  std::chrono::milliseconds pause_;
  bool truncation_is_bad_;
  std::atomic<bool> stop_{false};
  std::atomic<int> responses_{0};
  std::vector<std::thread> threads_;
};

// Waits until `load` has at least `count` responses (or 60 s pass).
void AwaitResponses(const CreateLoad& load, int count) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (load.responses() < count && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Every acknowledged create can be read back, version by version, after a restart.
void ExpectAllReadable(ServerProcess& server, const std::vector<Acknowledged>& acknowledged) {
  HttpClient client(server.port());
  int missing = 0;
  for (const Acknowledged& ack : acknowledged) {
    const std::string target = TargetFromUrl(ack.location);
    Response response = client.Get(target);
    if (response.status != 200 ||
        StringAt(ParseJson(response.body), "/name/0/family") != ack.family) {
      if (++missing <= 5) ADD_FAILURE() << "acknowledged " << ack.family << " lost" << response;
    }
  }
  EXPECT_EQ(missing, 0) << "of " << acknowledged.size() << " acknowledged creates";
}

TEST_F(CrashTest, AcknowledgedCreatesSurviveSigkill) {
  CreateLoad load(server().port(), 32, std::chrono::milliseconds(0), false);
  // Let the writers run for about two seconds, then kill the server under them.
  AwaitResponses(load, 1);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  ExitStatus killed = server().Kill();
  EXPECT_EQ(killed.signal, SIGKILL) << killed.ToString();
  load.Join();

  std::vector<Acknowledged> acknowledged;
  {
    std::lock_guard<std::mutex> lock(load.mutex);
    acknowledged = load.acknowledged;
    for (const std::string& bad : load.bad) ADD_FAILURE() << bad;
  }
  RecordProperty("acknowledged", static_cast<int>(acknowledged.size()));
  ASSERT_GT(acknowledged.size(), 0u);

  const std::string error = server().Restart();
  ASSERT_TRUE(error.empty()) << error;
  ExpectAllReadable(server(), acknowledged);
}

// SIGTERM while `threads` writers run: exit 0 within 10 s, no truncated responses, and every
// acknowledged create is there after a restart.
void SigtermUnderLoad(ServerTest& test, ServerProcess& server, int threads,
                      std::chrono::milliseconds pause, int responses_first) {
  CreateLoad load(server.port(), threads, pause, true);
  AwaitResponses(load, responses_first);
  ExitStatus stopped = server.Stop(std::chrono::seconds(10));
  EXPECT_TRUE(stopped.Clean()) << stopped.ToString();
  load.Join();

  std::vector<Acknowledged> acknowledged;
  {
    std::lock_guard<std::mutex> lock(load.mutex);
    acknowledged = load.acknowledged;
    for (const std::string& bad : load.bad) ADD_FAILURE() << bad;
  }
  test.RecordProperty("acknowledged", static_cast<int>(acknowledged.size()));
  ASSERT_GE(acknowledged.size(), 1u);

  const std::string error = server.Restart();
  ASSERT_TRUE(error.empty()) << error;
  ExpectAllReadable(server, acknowledged);
}

TEST_F(CrashTest, SigtermFinishesInFlightRequestsAndExitsZero) {
  SigtermUnderLoad(*this, server(), 4, std::chrono::milliseconds(5), 40);
}

TEST_F(CrashTest, SigtermUnderHeavyLoadExitsZeroAndKeepsAcknowledgedWrites) {
  SigtermUnderLoad(*this, server(), 32, std::chrono::milliseconds(0), 500);
}

// A request whose headers the server has read is in flight: after SIGTERM it still gets its
// answer. "100 Continue" proves, without guessing at timing, that the headers arrived.
TEST_F(CrashTest, SigtermStillAnswersARequestWhoseBodyIsArriving) {
  const std::string body = PatientJson("Onderweg");
  RawConnection connection;
  ASSERT_EQ(connection.Connect(server().port()), "");
  ASSERT_EQ(connection.Write("POST /fhir/Patient HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             "Content-Type: application/fhir+json\r\nExpect: 100-continue\r\n"
                             "Content-Length: " +
                             std::to_string(body.size()) + "\r\n\r\n"),
            "");
  const std::string interim = connection.ReadUntil("\r\n\r\n");
  ASSERT_EQ(interim.rfind("HTTP/1.1 100", 0), 0u) << "no 100 Continue: '" << interim << "'";

  server().Signal(SIGTERM);
  ASSERT_EQ(connection.Write(body), "");
  Response response = connection.ReadResponse();
  EXPECT_EQ(response.status, 201) << response;
  ExitStatus stopped = server().Wait(std::chrono::seconds(10));
  EXPECT_TRUE(stopped.Clean()) << stopped.ToString();

  if (response.status == 201) {
    const std::string error = server().Restart();
    ASSERT_TRUE(error.empty()) << error;
    ExpectAllReadable(server(), {{response.Header("Location"), "Onderweg"}});
  }
}

}  // namespace
}  // namespace schakel::integration
