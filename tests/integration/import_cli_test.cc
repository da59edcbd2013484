// schakel import: Bundles, single resources (JSON and XML) and NDJSON loaded into a data
// directory, then read back over HTTP from a server on that directory.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "integration/test_support.h"

namespace schakel::integration {
namespace {

struct CommandRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class ImportCliTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    input_ = server().temp_dir() + "/input";
    std::filesystem::create_directories(input_);
  }

  void Write(const std::string& name, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(input_ + "/" + name).parent_path());
    std::ofstream(input_ + "/" + name, std::ios::binary) << text;
  }

  // Runs `schakel import ARGS --data <the server's data dir> --no-progress`.
  CommandRun Import(const std::string& args) {
    const std::string err = server().temp_dir() + "/import.err";
    const std::string command = std::string(SCHAKEL_BINARY) + " import " + args + " --data " +
                                Quote(server().data_dir()) + " --no-progress 2>" + Quote(err);
    CommandRun run;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return run;
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, n);
    const int status = pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.err = ReadAll(err);
    return run;
  }

  int Total(const std::string& search) {
    Response response = client().Get(Fhir(
        search + (search.find('?') == std::string::npos ? "?_summary=count" : "&_summary=count")));
    EXPECT_EQ(response.status, 200) << response;
    rapidjson::Document doc = ParseJson(response.body);
    return doc.HasMember("total") ? doc["total"].GetInt() : -1;
  }

  std::string input_;
};

constexpr const char* kTransaction = R"({"resourceType":"Bundle","type":"transaction","entry":[
  {"fullUrl":"urn:uuid:0b6a8c2e-5c4c-4c59-9d57-3f4b1c0d0001",
   "resource":{"resourceType":"Patient","identifier":[{"system":"http://example.org/mrn",
     "value":"imp-tx"}],"name":[{"family":"Transactie"}]},
   "request":{"method":"POST","url":"Patient"}},
  {"resource":{"resourceType":"Observation","status":"final","code":{"text":"gewicht"},
     "subject":{"reference":"urn:uuid:0b6a8c2e-5c4c-4c59-9d57-3f4b1c0d0001"}},
   "request":{"method":"POST","url":"Observation"}}]})";

constexpr const char* kCollection = R"({"resourceType":"Bundle","type":"collection","entry":[
  {"fullUrl":"urn:uuid:0b6a8c2e-5c4c-4c59-9d57-3f4b1c0d0002",
   "resource":{"resourceType":"Patient","identifier":[{"system":"http://example.org/mrn",
     "value":"imp-coll"}]}},
  {"resource":{"resourceType":"Encounter","status":"finished",
     "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},
     "subject":{"reference":"urn:uuid:0b6a8c2e-5c4c-4c59-9d57-3f4b1c0d0002"}}}]})";

constexpr const char* kOrganizationXml =
    R"(<Organization xmlns="http://hl7.org/fhir"><id value="xml-org"/>)"
    R"(<name value="Apotheek De Linde"/></Organization>)";

TEST_F(ImportCliTest, LoadsBundlesResourcesAndNdjson) {
  Write("a/transaction.json", kTransaction);
  Write("a/collection.json", kCollection);
  Write("b/organization.xml", kOrganizationXml);
  Write("b/ignored.txt", "not FHIR, and not looked at");
  Write("lines.ndjson",
        R"({"resourceType":"Patient","id":"nd1","name":[{"family":"Regel"}]})"
        "\n\n"  // a blank line is skipped
        "not json\n"
        R"({"resourceType":"Patient","birthDate":"gisteren"})"
        "\n"
        R"({"resourceType":"Patient","name":[{"family":"Zonder id"}]})"
        "\r\n");

  CommandRun run = Import(Quote(input_));
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;  // two lines failed
  EXPECT_NE(run.out.find("imported 7 resources from 4 files"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("2 resources failed"), std::string::npos) << run.out;
  EXPECT_NE(run.err.find("lines.ndjson:3: JSON"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("lines.ndjson:4: HTTP 422"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("birthDate"), std::string::npos) << run.err;

  // The transaction's reference was rewritten to the Patient it created.
  Response patients = client().Get(Fhir("Patient?identifier=http://example.org/mrn|imp-tx"));
  ASSERT_EQ(patients.status, 200) << patients;
  const std::string tx_patient = StringAt(ParseJson(patients.body), "/entry/0/resource/id");
  ASSERT_FALSE(tx_patient.empty()) << patients;
  EXPECT_EQ(Total("Observation?subject=Patient/" + tx_patient), 1);
  // So was the collection's.
  Response coll = client().Get(Fhir("Patient?identifier=http://example.org/mrn|imp-coll"));
  const std::string coll_patient = StringAt(ParseJson(coll.body), "/entry/0/resource/id");
  ASSERT_FALSE(coll_patient.empty()) << coll;
  EXPECT_EQ(Total("Encounter?subject=Patient/" + coll_patient), 1);
  // Ids given are kept; the XML resource was read.
  EXPECT_EQ(client().Get(Fhir("Patient/nd1")).status, 200);
  Response org = client().Get(Fhir("Organization/xml-org"));
  EXPECT_EQ(org.status, 200) << org;
  EXPECT_EQ(StringAt(ParseJson(org.body), "/name"), "Apotheek De Linde");
  EXPECT_EQ(Total("Patient?family=Zonder%20id"), 1);
  EXPECT_EQ(Total("Patient"), 4);
}

TEST_F(ImportCliTest, AFailingTransactionLeavesNothingBehind) {
  std::string bad = kTransaction;
  bad.replace(bad.find(R"("status":"final")"), 16, R"("status":"klaar")");
  Write("bad.json", bad);
  CommandRun run = Import(Quote(input_ + "/bad.json"));
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.err.find("bad.json: HTTP 422"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("Bundle.entry[1]"), std::string::npos) << run.err;
  EXPECT_NE(run.out.find("imported 0 resources"), std::string::npos) << run.out;
  EXPECT_EQ(Total("Patient?identifier=http://example.org/mrn|imp-tx"), 0);

  // The same file, repaired, imports; the server sees it at once.
  Write("good.json", kTransaction);
  CommandRun good = Import(Quote(input_ + "/good.json"));
  EXPECT_EQ(good.exit_code, 0) << good.out << good.err;
  EXPECT_EQ(Total("Patient?identifier=http://example.org/mrn|imp-tx"), 1);
}

TEST_F(ImportCliTest, RefusesBadArgumentsAndUnreadableInput) {
  EXPECT_EQ(Import("").exit_code, 2);
  EXPECT_EQ(Import(Quote(input_) + " --batch-size 0").exit_code, 2);
  EXPECT_EQ(Import(Quote(input_) + " --frobnicate").exit_code, 2);
  CommandRun missing = Import(Quote(input_ + "/nothing-here.json"));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no such file"), std::string::npos) << missing.err;
  Write("notes.txt", "hello");
  EXPECT_EQ(Import(Quote(input_ + "/notes.txt")).exit_code, 1);
  Write("broken.json", R"({"resourceType":"Patient",)");
  CommandRun broken = Import(Quote(input_ + "/broken.json"));
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.err.find("broken.json"), std::string::npos) << broken.err;
  EXPECT_EQ(Total("Patient"), 0);
}

TEST_F(ImportCliTest, BatchesNdjsonAcrossManyLines) {
  std::string lines;
  for (int i = 0; i < 1'203; ++i) {
    lines += R"({"resourceType":"Patient","id":"bulk-)" + std::to_string(i) +
             R"(","name":[{"family":"Bulk"}]})" + "\n";
  }
  Write("bulk.ndjson", lines);
  CommandRun run = Import(Quote(input_ + "/bulk.ndjson") + " --batch-size 100");
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("imported 1,203 resources from 1 files"), std::string::npos) << run.out;
  EXPECT_EQ(Total("Patient?family=Bulk"), 1'203);
  EXPECT_EQ(client().Get(Fhir("Patient/bulk-1202")).status, 200);
}

}  // namespace
}  // namespace schakel::integration
