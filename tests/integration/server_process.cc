#include "integration/server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#ifndef SCHAKEL_BINARY
#error "SCHAKEL_BINARY must name the schakel executable"
#endif

namespace schakel::integration {
namespace {

constexpr std::string_view kReadyPrefix = "listening on http://127.0.0.1:";
constexpr std::size_t kLogTailBytes = 8192;

std::string ErrnoText(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

std::string MakeTempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/schakel-it-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) return {};
  return std::string(buffer.data());
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Tail(const std::string& text, std::size_t bytes) {
  if (text.size() <= bytes) return text;
  return "[... " + std::to_string(text.size() - bytes) + " bytes cut ...]\n" +
         text.substr(text.size() - bytes);
}

// Closes every inherited descriptor above stderr. Called between fork and exec, so only
// async-signal-safe calls.
void CloseDescriptorsFrom(int first) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, static_cast<unsigned>(first), ~0U, 0U) == 0) return;
#endif
  struct rlimit limit {};
  int max_fd = 4096;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
      limit.rlim_cur < 65536) {
    max_fd = static_cast<int>(limit.rlim_cur);
  }
  for (int fd = first; fd < max_fd; ++fd) close(fd);
}

}  // namespace

std::string ExitStatus::ToString() const {
  if (timed_out) return "did not exit in time (killed)";
  if (exited) return "exited with status " + std::to_string(code);
  return "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
}

ServerProcess::ServerProcess(ServerProcessOptions options) : options_(std::move(options)) {
  temp_dir_ = MakeTempDir();
  if (!temp_dir_.empty()) {
    data_dir_ = temp_dir_ + "/data";
    log_path_ = temp_dir_ + "/server.log";
    std::error_code ec;
    std::filesystem::create_directory(data_dir_, ec);
  }
}

ServerProcess::~ServerProcess() {
  if (running()) Kill();
  JoinDrain();
  if (!temp_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(temp_dir_, ec);
  }
}

std::string ServerProcess::base_url() const { return origin() + "/fhir"; }

std::string ServerProcess::origin() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::string ServerProcess::StderrLog() const {
  if (log_path_.empty()) return {};
  return ReadFile(log_path_);
}

std::string ServerProcess::StdoutText() const {
  std::lock_guard<std::mutex> lock(stdout_mutex_);
  return stdout_text_;
}

std::string ServerProcess::FailureMessage(const std::string& reason) const {
  std::string message = "schakel server did not start: " + reason;
  message += "\n--- command: ";
  message += options_.binary_override.empty() ? SCHAKEL_BINARY : options_.binary_override;
  message += "\n--- stdout:\n" + Tail(StdoutText(), kLogTailBytes);
  message += "\n--- stderr (" + log_path_ + "):\n" + Tail(StderrLog(), kLogTailBytes);
  return message;
}

std::string ServerProcess::Start() {
  if (running()) return "Start(): server already running";
  if (temp_dir_.empty()) return "could not create a temporary directory";
  JoinDrain();
  port_ = 0;
  {
    std::lock_guard<std::mutex> lock(stdout_mutex_);
    stdout_text_.clear();
  }
  ++runs_;
  {
    std::ofstream log(log_path_, std::ios::app);
    log << "=== schakel-it: start #" << runs_ << " ===\n";
  }
  if (std::string error = Spawn(); !error.empty()) return FailureMessage(error);
  if (std::string error = WaitReady(); !error.empty()) {
    if (running()) Kill();
    return FailureMessage(error);
  }
  StartDrain();
  return {};
}

std::string ServerProcess::Spawn() {
  std::vector<std::string> args;
  std::string binary;
  if (!options_.binary_override.empty()) {
    binary = options_.binary_override;
    args.push_back(binary);
    args.insert(args.end(), options_.argv_override.begin(), options_.argv_override.end());
  } else {
    binary = SCHAKEL_BINARY;
    args = {binary, "serve", "--listen", "127.0.0.1:0", "--data", data_dir_};
    if (options_.insecure_no_auth) args.push_back("--insecure-no-auth");
    args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  }
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return ErrnoText("pipe2");
  int log_fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    return ErrnoText("open log");
  }
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t parent = getpid();

  pid_t pid = fork();
  if (pid < 0) {
    std::string error = ErrnoText("fork");
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    close(log_fd);
    if (null_fd >= 0) close(null_fd);
    return error;
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    dup2(pipe_fds[1], STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    CloseDescriptorsFrom(3);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    execv(argv[0], argv.data());
    static constexpr char kExecFailed[] = "schakel-it: execv failed\n";
    [[maybe_unused]] ssize_t ignored = write(STDERR_FILENO, kExecFailed, sizeof(kExecFailed) - 1);
    _exit(127);
  }
  close(pipe_fds[1]);
  close(log_fd);
  if (null_fd >= 0) close(null_fd);
  pid_ = pid;
  stdout_fd_ = pipe_fds[0];
  return {};
}

std::string ServerProcess::WaitReady() {
  const auto deadline = std::chrono::steady_clock::now() + options_.ready_timeout;
  std::string pending;  // bytes of the current, unfinished line
  char buffer[4096];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return "no `listening on http://127.0.0.1:PORT` line on stdout within " +
             std::to_string(options_.ready_timeout.count()) + " ms";
    }
    pollfd fd{stdout_fd_, POLLIN, 0};
    int ready = poll(&fd, 1, static_cast<int>(std::min<long>(left.count(), 200)));
    if (ready < 0 && errno != EINTR) return ErrnoText("poll");
    if (ready > 0) {
      ssize_t n = read(stdout_fd_, buffer, sizeof(buffer));
      if (n > 0) {
        {
          std::lock_guard<std::mutex> lock(stdout_mutex_);
          stdout_text_.append(buffer, static_cast<std::size_t>(n));
        }
        pending.append(buffer, static_cast<std::size_t>(n));
        std::size_t newline;
        while ((newline = pending.find('\n')) != std::string::npos) {
          std::string line = pending.substr(0, newline);
          pending.erase(0, newline + 1);
          if (!line.empty() && line.back() == '\r') line.pop_back();
          std::size_t at = line.find(kReadyPrefix);
          if (at == std::string::npos) continue;
          std::string digits = line.substr(at + kReadyPrefix.size());
          std::size_t end = 0;
          while (end < digits.size() && std::isdigit(static_cast<unsigned char>(digits[end]))) {
            ++end;
          }
          long port = end == 0 ? 0 : std::strtol(digits.substr(0, end).c_str(), nullptr, 10);
          if (port <= 0 || port > 65535) return "bad port in ready line: " + line;
          port_ = static_cast<std::uint16_t>(port);
          return {};
        }
        continue;
      }
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      // EOF: the child closed stdout, most likely because it exited.
      ExitStatus status = WaitExit(std::chrono::seconds(2));
      return "stdout closed before the ready line; process " + status.ToString();
    }
    // No output yet: did the child die without closing stdout (impossible) or hang? Check exit.
    int wait_status = 0;
    pid_t done = waitpid(pid_, &wait_status, WNOHANG);
    if (done == pid_) {
      pid_ = -1;
      ExitStatus status;
      if (WIFEXITED(wait_status)) {
        status.exited = true;
        status.code = WEXITSTATUS(wait_status);
      } else if (WIFSIGNALED(wait_status)) {
        status.signal = WTERMSIG(wait_status);
      }
      last_exit_ = status;
      close(stdout_fd_);
      stdout_fd_ = -1;
      return "process " + status.ToString() + " before printing the ready line";
    }
  }
}

void ServerProcess::StartDrain() {
  drain_stop_ = false;
  const int fd = stdout_fd_;
  drain_ = std::thread([this, fd] {
    char buffer[4096];
    while (!drain_stop_) {
      pollfd p{fd, POLLIN, 0};
      int ready = poll(&p, 1, 100);
      if (ready <= 0) continue;
      ssize_t n = read(fd, buffer, sizeof(buffer));
      if (n > 0) {
        std::lock_guard<std::mutex> lock(stdout_mutex_);
        stdout_text_.append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        break;
      }
    }
  });
}

void ServerProcess::JoinDrain() {
  if (drain_.joinable()) {
    drain_stop_ = true;
    drain_.join();
  }
  if (stdout_fd_ >= 0) {
    close(stdout_fd_);
    stdout_fd_ = -1;
  }
}

ExitStatus ServerProcess::WaitExit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return last_exit_;
  ExitStatus status;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int wait_status = 0;
  while (true) {
    pid_t done = waitpid(pid_, &wait_status, WNOHANG);
    if (done == pid_) break;
    if (done < 0 && errno != EINTR) {
      // Not our child any more (should not happen); treat it as gone.
      pid_ = -1;
      return status;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid_, SIGKILL);
      while (waitpid(pid_, &wait_status, 0) < 0 && errno == EINTR) {
      }
      pid_ = -1;
      status.timed_out = true;
      status.signal = SIGKILL;
      last_exit_ = status;
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
  if (WIFEXITED(wait_status)) {
    status.exited = true;
    status.code = WEXITSTATUS(wait_status);
  } else if (WIFSIGNALED(wait_status)) {
    status.signal = WTERMSIG(wait_status);
  }
  last_exit_ = status;
  return status;
}

ExitStatus ServerProcess::Stop(std::chrono::milliseconds timeout) {
  if (!running()) return WaitExit(timeout);
  kill(pid_, SIGTERM);
  ExitStatus status = WaitExit(timeout);
  JoinDrain();
  return status;
}

void ServerProcess::Signal(int signal) {
  if (running()) kill(pid_, signal);
}

ExitStatus ServerProcess::Wait(std::chrono::milliseconds timeout) {
  ExitStatus status = WaitExit(timeout);
  JoinDrain();
  return status;
}

ExitStatus ServerProcess::Kill() {
  if (!running()) return WaitExit(std::chrono::milliseconds(0));
  kill(pid_, SIGKILL);
  ExitStatus status = WaitExit(std::chrono::seconds(30));
  JoinDrain();
  return status;
}

std::string ServerProcess::Restart() {
  if (running()) Stop();
  return Start();
}

}  // namespace schakel::integration
