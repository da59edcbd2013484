// Runs the real `schakel serve` binary as a child process for integration tests.
//
// Each ServerProcess owns a fresh temporary directory (mkdtemp) holding the data directory
// (`data/`) and the server's stderr log (`server.log`); the directory is removed by the destructor.
// The child is started as
//   SCHAKEL_BINARY serve --listen 127.0.0.1:0 --data <tmp>/data [extra args...]
// and is ready once it prints `listening on http://127.0.0.1:PORT` on stdout.
//
// No child is ever left running: the destructor kills (SIGKILL) and reaps it, and the child is
// started with PR_SET_PDEATHSIG so it also dies if the test binary itself dies. Because the death
// signal follows the *thread* that forked, Start()/Restart() must be called from the test's main
// thread (gtest runs test bodies there), never from a short-lived worker thread.
//
// Thread safety: Start/Stop/Kill/Restart from one thread; port(), base_url() and StderrLog() may be
// called from any thread while the server runs.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace schakel::integration {

// How a child process ended.
struct ExitStatus {
  bool timed_out = false;  // did not exit in time (and was then killed with SIGKILL)
  bool exited = false;     // exited normally; `code` is its exit status
  int code = -1;
  int signal = 0;  // killed by this signal when !exited

  bool Clean() const { return !timed_out && exited && code == 0; }
  std::string ToString() const;
};

struct ServerProcessOptions {
  // Extra arguments after `serve --listen 127.0.0.1:0 --data DIR`.
  std::vector<std::string> extra_args;
  // Adds --insecure-no-auth: the suites about other things than access control talk to the
  // server without tokens. The authorization suites turn it off.
  bool insecure_no_auth = true;
  // How long Start() waits for the `listening on` line.
  std::chrono::milliseconds ready_timeout{20000};
  // For testing the harness itself: run this program instead of SCHAKEL_BINARY, with exactly
  // `argv_override` as its arguments (no serve/--listen/--data are added).
  std::string binary_override;
  std::vector<std::string> argv_override;
};

class ServerProcess {
 public:
  explicit ServerProcess(ServerProcessOptions options = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the child and waits for it to be ready. On failure returns a non-empty message that
  // includes the reason and the server's stderr; the child is then no longer running.
  [[nodiscard]] std::string Start();
  // SIGTERM, then waits up to `timeout` for the exit; after the timeout, SIGKILL (and the result
  // says timed_out).
  ExitStatus Stop(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // SIGKILL and reap.
  ExitStatus Kill();
  // Sends `signal` to the running child (no wait).
  void Signal(int signal);
  // Waits up to `timeout` for the child to exit on its own; after the timeout, SIGKILL (and the
  // result says timed_out).
  ExitStatus Wait(std::chrono::milliseconds timeout);
  // Stops the server if it runs (SIGTERM) and starts it again on the same data directory.
  [[nodiscard]] std::string Restart();

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  std::uint16_t port() const { return port_; }
  // http://127.0.0.1:PORT/fhir
  std::string base_url() const;
  // http://127.0.0.1:PORT
  std::string origin() const;
  const std::string& temp_dir() const { return temp_dir_; }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& log_path() const { return log_path_; }
  // Everything the server wrote to stderr so far (all runs, separated by marker lines).
  std::string StderrLog() const;
  // Everything the server wrote to stdout so far.
  std::string StdoutText() const;

 private:
  std::string Spawn();
  std::string WaitReady();
  ExitStatus WaitExit(std::chrono::milliseconds timeout);
  void StartDrain();
  void JoinDrain();
  std::string FailureMessage(const std::string& reason) const;

  ServerProcessOptions options_;
  std::string temp_dir_;
  std::string data_dir_;
  std::string log_path_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;  // read end of the child's stdout pipe
  std::uint16_t port_ = 0;
  int runs_ = 0;
  ExitStatus last_exit_;  // of the previous run; returned by Stop()/Kill() when not running

  mutable std::mutex stdout_mutex_;
  std::string stdout_text_;  // guarded by stdout_mutex_
  std::thread drain_;        // reads stdout after the ready line so the pipe never fills
  std::atomic<bool> drain_stop_{false};
};

}  // namespace schakel::integration
