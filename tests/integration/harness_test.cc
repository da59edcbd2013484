// Tests of the test harness itself (ServerProcess), using /bin/sh stand-ins instead of schakel, so
// they pass whatever state the server is in.
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <thread>

#include "integration/test_support.h"

namespace schakel::integration {
namespace {

ServerProcessOptions Shell(const std::string& script,
                           std::chrono::milliseconds ready_timeout = std::chrono::seconds(20)) {
  ServerProcessOptions options;
  options.binary_override = "/bin/sh";
  options.argv_override = {"-c", script};
  options.ready_timeout = ready_timeout;
  return options;
}

TEST(HarnessTest, MissingBinaryFailsWithoutWaitingForTheTimeout) {
  ServerProcessOptions options;
  options.binary_override = "/nonexistent/schakel";
  ServerProcess process(options);
  std::string error = process.Start();
  ASSERT_FALSE(error.empty());
  EXPECT_NE(error.find("exited with status 127"), std::string::npos) << error;
  EXPECT_NE(error.find("execv failed"), std::string::npos) << error;
  EXPECT_FALSE(process.running());
}

TEST(HarnessTest, ProcessExitingEarlyReportsStatusAndStderr) {
  ServerProcess process(Shell("echo 'cannot open database' >&2; exit 3"));
  std::string error = process.Start();
  ASSERT_FALSE(error.empty());
  EXPECT_NE(error.find("exited with status 3"), std::string::npos) << error;
  EXPECT_NE(error.find("cannot open database"), std::string::npos) << error;
}

TEST(HarnessTest, SilentProcessTimesOutAndIsKilled) {
  ServerProcess process(
      Shell("echo starting; echo oops >&2; exec sleep 60", std::chrono::milliseconds(500)));
  std::string error = process.Start();
  ASSERT_FALSE(error.empty());
  EXPECT_NE(error.find("within 500 ms"), std::string::npos) << error;
  EXPECT_NE(error.find("starting"), std::string::npos) << error;
  EXPECT_NE(error.find("oops"), std::string::npos) << error;
  EXPECT_FALSE(process.running());
}

TEST(HarnessTest, ParsesReadyLineAndStopsWithSigterm) {
  ServerProcess process(
      Shell("echo booting; echo 'listening on http://127.0.0.1:4321'; exec sleep 60"));
  std::string error = process.Start();
  ASSERT_TRUE(error.empty()) << error;
  EXPECT_TRUE(process.running());
  EXPECT_EQ(process.port(), 4321);
  EXPECT_EQ(process.base_url(), "http://127.0.0.1:4321/fhir");
  ExitStatus status = process.Stop();
  EXPECT_FALSE(status.exited) << status.ToString();
  EXPECT_EQ(status.signal, SIGTERM) << status.ToString();
  EXPECT_FALSE(process.running());
}

TEST(HarnessTest, KeepsReadingStdoutAfterReady) {
  // Far more than a pipe buffer: the child would block forever if nobody drained stdout.
  ServerProcess process(
      Shell("echo 'listening on http://127.0.0.1:4321'; head -c 1000000 /dev/zero | tr '\\0' x; "
            "echo; echo done-writing; exec sleep 60"));
  std::string error = process.Start();
  ASSERT_TRUE(error.empty()) << error;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (process.StdoutText().find("done-writing") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(process.StdoutText().find("done-writing"), std::string::npos);
  EXPECT_GT(process.StdoutText().size(), 1000000u);
}

TEST(HarnessTest, DestructorKillsChildAndRemovesTempDir) {
  pid_t pid = -1;
  std::string temp_dir;
  {
    ServerProcess process(Shell("echo 'listening on http://127.0.0.1:4321'; exec sleep 60"));
    ASSERT_TRUE(process.Start().empty());
    pid = process.pid();
    temp_dir = process.temp_dir();
    EXPECT_TRUE(std::filesystem::is_directory(process.data_dir()));
    EXPECT_EQ(kill(pid, 0), 0);
  }
  errno = 0;
  EXPECT_EQ(kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
  EXPECT_FALSE(std::filesystem::exists(temp_dir));
}

TEST(HarnessTest, RestartKeepsDataDirAndAppendsLog) {
  ServerProcess process(
      Shell("echo run >&2; echo 'listening on http://127.0.0.1:4321'; exec sleep 60"));
  ASSERT_TRUE(process.Start().empty());
  const std::string data_dir = process.data_dir();
  process.Kill();
  ASSERT_TRUE(process.Restart().empty());
  EXPECT_EQ(process.data_dir(), data_dir);
  const std::string log = process.StderrLog();
  EXPECT_NE(log.find("start #1"), std::string::npos) << log;
  EXPECT_NE(log.find("start #2"), std::string::npos) << log;
}

}  // namespace
}  // namespace schakel::integration
