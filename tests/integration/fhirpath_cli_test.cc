// schakel fhirpath: the command for people, single and --batch.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "integration/test_support.h"

namespace schakel::integration {
namespace {

struct ShellRun {
  int exit_code = -1;
  std::string out;
};

// Runs a shell command line; stdout captured, stderr discarded.
ShellRun Shell(const std::string& command) {
  ShellRun run;
  FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

class FhirPathCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/schakel-fhirpath-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    std::ofstream(dir_ + "/patient.json")
        << R"({"resourceType":"Patient","name":[{"family":"Jansen","given":["Anna","Maria"]}],)"
           R"("birthDate":"1961-04-12"})";
  }
  void TearDown() override { std::system(("rm -rf " + Quote(dir_)).c_str()); }
  std::string dir_;
};

TEST_F(FhirPathCliTest, PrintsTheResultCollection) {
  ShellRun run = Shell(std::string(SCHAKEL_BINARY) + " fhirpath --input " +
                       Quote(dir_ + "/patient.json") + " 'Patient.name.given'");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  rapidjson::Document doc = ParseJson(run.out);
  ASSERT_TRUE(doc.IsArray()) << run.out;
  ASSERT_EQ(doc.Size(), 2u) << run.out;
  EXPECT_EQ(StringAt(doc, "/0/type"), "string");
  EXPECT_EQ(StringAt(doc, "/1/value"), "Maria");
  // Errors: exit status 1, nothing on standard output.
  ShellRun bad = Shell(std::string(SCHAKEL_BINARY) + " fhirpath '1 +'");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_TRUE(bad.out.empty()) << bad.out;
  EXPECT_EQ(
      Shell(std::string(SCHAKEL_BINARY) + " fhirpath --input /nonexistent.json '1'").exit_code, 2);
}

TEST_F(FhirPathCliTest, BatchAnswersEveryLine) {
  const std::string patient = dir_ + "/patient.json";
  std::ofstream(dir_ + "/batch.jsonl")
      << R"j({"input":")j" << patient << R"j(","expression":"Patient.birthDate"})j"
      << "\n"
      << R"j({"expression":"1 + 2"})j"
      << "\n"
      << R"j({"expression":"1 +"})j"
      << "\n"
      << "not json\n"
      << R"j({"input":")j" << patient << R"j(","expression":"Patient.name.given.count()"})j"
      << "\n";
  ShellRun run =
      Shell(std::string(SCHAKEL_BINARY) + " fhirpath --batch < " + Quote(dir_ + "/batch.jsonl"));
  EXPECT_EQ(run.exit_code, 0) << run.out;
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < run.out.size()) {
    std::size_t end = run.out.find('\n', start);
    lines.push_back(run.out.substr(start, end - start));
    start = end == std::string::npos ? run.out.size() : end + 1;
  }
  ASSERT_EQ(lines.size(), 5u) << run.out;
  EXPECT_EQ(StringAt(ParseJson(lines[0]), "/result/0/value"), "1961-04-12") << lines[0];
  EXPECT_NE(lines[1].find(R"("value":3)"), std::string::npos) << lines[1];
  EXPECT_FALSE(StringAt(ParseJson(lines[2]), "/error").empty()) << lines[2];
  EXPECT_FALSE(StringAt(ParseJson(lines[3]), "/error").empty()) << lines[3];
  EXPECT_NE(lines[4].find(R"("value":2)"), std::string::npos) << lines[4];
}

}  // namespace
}  // namespace schakel::integration
