// history on the instance, type and system level: Bundle shape, order, paging, _since, _at.
// Spec: https://hl7.org/fhir/R4/http.html#history
#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "integration/test_support.h"

namespace schakel::integration {
namespace {

using HistoryTest = ServerTest;

std::string Key(const HistoryEntry& entry) {
  return entry.full_url + "|" + std::to_string(entry.version);
}

// Entries are newest first: lastModified never increases along the list.
::testing::AssertionResult NewestFirst(const std::vector<HistoryEntry>& entries) {
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto key = InstantKey(entries[i].last_modified);
    if (!key) {
      return ::testing::AssertionFailure()
             << "entry " << i << " response.lastModified is not an instant: '"
             << entries[i].last_modified << "'";
    }
    if (i > 0 && *key > *InstantKey(entries[i - 1].last_modified)) {
      return ::testing::AssertionFailure()
             << "entry " << i << " (" << entries[i].last_modified << ") is newer than entry "
             << i - 1 << " (" << entries[i - 1].last_modified << ")";
    }
  }
  // And per resource the versions go down.
  std::map<std::string, int> last_version;
  for (const HistoryEntry& entry : entries) {
    auto [it, inserted] = last_version.emplace(entry.full_url, entry.version);
    if (!inserted) {
      if (entry.version >= it->second) {
        return ::testing::AssertionFailure()
               << entry.full_url << " version " << entry.version << " after " << it->second;
      }
      it->second = entry.version;
    }
  }
  return ::testing::AssertionSuccess();
}

std::vector<int> Versions(const std::vector<HistoryEntry>& entries) {
  std::vector<int> versions;
  for (const HistoryEntry& entry : entries) versions.push_back(entry.version);
  return versions;
}

TEST_F(HistoryTest, InstanceHistoryListsEveryVersionNewestFirst) {
  Response created = client().Post(Fhir("Patient"), PatientJson("Een"));
  ASSERT_EQ(created.status, 201) << created;
  const std::string id = ParseLocation(created.Header("Location")).id;
  ASSERT_EQ(client().Put(Fhir("Patient/" + id), PatientJson("Twee", id)).status, 200);
  ASSERT_EQ(client().Put(Fhir("Patient/" + id), PatientJson("Drie", id)).status, 200);
  ASSERT_EQ(client().Delete(Fhir("Patient/" + id)).status, 200);

  Response response = client().Get(Fhir("Patient/" + id + "/_history"));
  HistoryPage page = ParseHistoryPage(response);
  ASSERT_TRUE(page.error.empty()) << page.error;
  EXPECT_FALSE(page.self.empty()) << response;
  EXPECT_TRUE(page.next.empty()) << response;
  ASSERT_EQ(page.entries.size(), 4u) << response;
  EXPECT_TRUE(NewestFirst(page.entries));

  const char* kMethods[] = {"DELETE", "PUT", "PUT", "POST"};
  const char* kStatuses[] = {"204", "200", "200", "201"};
  const char* kFamilies[] = {"", "Drie", "Twee", "Een"};
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    const HistoryEntry& entry = page.entries[i];
    const int version = 4 - i;
    EXPECT_EQ(entry.full_url, base() + "/Patient/" + id);
    EXPECT_EQ(entry.method, kMethods[i]);
    EXPECT_EQ(entry.url, i == 3 ? std::string("Patient") : "Patient/" + id);
    EXPECT_EQ(entry.status.rfind(kStatuses[i], 0), 0u) << entry.status;
    EXPECT_EQ(entry.etag, "W/\"" + std::to_string(version) + "\"");
    EXPECT_TRUE(IsInstant(entry.last_modified)) << entry.last_modified;
    EXPECT_EQ(entry.has_resource, i != 0);
    if (entry.has_resource) {
      EXPECT_EQ(entry.resource_type, "Patient");
      EXPECT_EQ(entry.resource_id, id);
      EXPECT_EQ(entry.version_id, std::to_string(version));
      EXPECT_TRUE(InstantKey(entry.last_updated) == InstantKey(entry.last_modified))
          << entry.last_updated << " vs " << entry.last_modified;
    }
  }
  rapidjson::Document bundle = ParseJson(response.body);
  EXPECT_EQ(StringAt(bundle, "/entry/1/resource/name/0/family"), kFamilies[1]);
  EXPECT_EQ(StringAt(bundle, "/entry/3/resource/name/0/family"), kFamilies[3]);
}

TEST_F(HistoryTest, TypeHistoryHoldsOnlyThatType) {
  const std::string a = CreatePatient("A");
  const std::string b = CreatePatient("B");
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  ASSERT_EQ(client()
                .Post(Fhir("Observation"),
                      R"({"resourceType":"Observation","status":"final","code":{"text":"x"}})")
                .status,
            201);
  ASSERT_EQ(client().Put(Fhir("Patient/" + a), PatientJson("A2", a)).status, 200);

  HistoryPage patients = ParseHistoryPage(client().Get(Fhir("Patient/_history")));
  ASSERT_TRUE(patients.error.empty()) << patients.error;
  ASSERT_EQ(patients.entries.size(), 3u);
  EXPECT_TRUE(NewestFirst(patients.entries));
  for (const HistoryEntry& entry : patients.entries) {
    EXPECT_EQ(entry.resource_type, "Patient");
    EXPECT_EQ(entry.full_url.rfind(base() + "/Patient/", 0), 0u) << entry.full_url;
  }
  EXPECT_EQ(patients.entries[0].full_url, base() + "/Patient/" + a);
  EXPECT_EQ(patients.entries[0].version, 2);

  HistoryPage observations = ParseHistoryPage(client().Get(Fhir("Observation/_history")));
  ASSERT_TRUE(observations.error.empty()) << observations.error;
  ASSERT_EQ(observations.entries.size(), 1u);
  EXPECT_EQ(observations.entries[0].method, "POST");
  EXPECT_EQ(observations.entries[0].url, "Observation");

  HistoryPage empty = ParseHistoryPage(client().Get(Fhir("Consent/_history")));
  ASSERT_TRUE(empty.error.empty()) << empty.error;
  EXPECT_TRUE(empty.entries.empty());
}

TEST_F(HistoryTest, SystemHistoryHoldsEveryType) {
  HistoryPage initial = ParseHistoryPage(client().Get(Fhir("_history")));
  ASSERT_TRUE(initial.error.empty()) << initial.error;
  EXPECT_TRUE(initial.entries.empty());
  EXPECT_FALSE(initial.self.empty());

  const std::string a = CreatePatient("A");
  ASSERT_FALSE(a.empty());
  ASSERT_EQ(client()
                .Post(Fhir("Observation"),
                      R"({"resourceType":"Observation","status":"final","code":{"text":"x"}})")
                .status,
            201);
  ASSERT_EQ(client().Delete(Fhir("Patient/" + a)).status, 200);

  HistoryPage page = ParseHistoryPage(client().Get(Fhir("_history")));
  ASSERT_TRUE(page.error.empty()) << page.error;
  ASSERT_EQ(page.entries.size(), 3u);
  EXPECT_TRUE(NewestFirst(page.entries));
  EXPECT_EQ(page.entries[0].method, "DELETE");
  EXPECT_EQ(page.entries[0].url, "Patient/" + a);
  EXPECT_EQ(page.entries[1].resource_type, "Observation");
  EXPECT_EQ(page.entries[2].url, "Patient");
}

TEST_F(HistoryTest, CountPagesThroughEveryVersionOnce) {
  const std::string id = CreatePatient("Pagina");
  ASSERT_FALSE(id.empty());
  for (int i = 0; i < 6; ++i) {
    ASSERT_EQ(client().Put(Fhir("Patient/" + id), PatientJson("Pagina", id)).status, 200);
  }
  const std::string target = Fhir("Patient/" + id + "/_history?_count=3");
  Response first = client().Get(target);
  HistoryPage page = ParseHistoryPage(first);
  ASSERT_TRUE(page.error.empty()) << page.error;
  EXPECT_EQ(page.entries.size(), 3u);
  ASSERT_FALSE(page.next.empty()) << first;
  EXPECT_EQ(page.next.rfind(base() + "/", 0), 0u) << "next link not absolute: " << page.next;

  std::string error;
  std::vector<HistoryEntry> all = FetchAllHistory(client(), target, &error);
  ASSERT_TRUE(error.empty()) << error;
  EXPECT_EQ(Versions(all), (std::vector<int>{7, 6, 5, 4, 3, 2, 1}));
}

TEST_F(HistoryTest, PagingVisitsEveryVersionOnceWhileWritesHappen) {
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    ids.push_back(CreatePatient("Stabiel" + std::to_string(i)));
    ASSERT_FALSE(ids.back().empty());
  }
  HistoryPage before = ParseHistoryPage(client().Get(Fhir("_history?_count=1000")));
  ASSERT_TRUE(before.error.empty()) << before.error;
  ASSERT_EQ(before.entries.size(), 10u);

  auto writer = NewClient();
  int writes = 0;
  std::string error;
  std::vector<HistoryEntry> all = FetchAllHistory(client(), Fhir("_history?_count=3"), &error, [&] {
    ++writes;
    EXPECT_EQ(writer->Post(Fhir("Patient"), PatientJson("Tussendoor")).status, 201);
    const std::string& id = ids[static_cast<std::size_t>(writes) % ids.size()];
    EXPECT_EQ(writer->Put(Fhir("Patient/" + id), PatientJson("Bijgewerkt", id)).status, 200);
  });
  ASSERT_TRUE(error.empty()) << error;
  EXPECT_GE(writes, 3);

  std::map<std::string, int> seen;
  for (const HistoryEntry& entry : all) ++seen[Key(entry)];
  for (const auto& [key, count] : seen) EXPECT_EQ(count, 1) << key << " seen " << count << " times";
  for (const HistoryEntry& entry : before.entries) {
    EXPECT_EQ(seen.count(Key(entry)), 1u) << Key(entry) << " never visited";
  }
}

TEST_F(HistoryTest, CountIsClampedTo1000) {
  constexpr int kThreads = 4;
  constexpr int kTotal = 1001;
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      HttpClient writer(server().port());
      while (next.fetch_add(1) < kTotal) {
        if (writer.Post(Fhir("Patient"), PatientJson("Veel")).status != 201) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_EQ(failures.load(), 0);

  for (const char* count : {"1000", "5000"}) {
    SCOPED_TRACE(count);
    Response response = client().Get(Fhir("Patient/_history?_count=" + std::string(count)));
    HistoryPage page = ParseHistoryPage(response);
    ASSERT_TRUE(page.error.empty()) << page.error;
    EXPECT_EQ(page.entries.size(), 1000u);
    EXPECT_FALSE(page.next.empty());
  }
}

TEST_F(HistoryTest, SinceKeepsVersionsUpdatedAtOrAfterTheInstant) {
  const std::string id = CreatePatient("Sinds");
  ASSERT_FALSE(id.empty());
  Response second = client().Put(Fhir("Patient/" + id), PatientJson("Sinds2", id));
  ASSERT_EQ(second.status, 200) << second;
  ASSERT_EQ(client().Put(Fhir("Patient/" + id), PatientJson("Sinds3", id)).status, 200);
  ASSERT_FALSE(CreatePatient("Ander").empty());
  const std::string since = StringAt(ParseJson(second.body), "/meta/lastUpdated");
  ASSERT_TRUE(IsInstant(since)) << second;

  const std::string kTargets[] = {Fhir("Patient/" + id + "/_history"), Fhir("Patient/_history"),
                                  Fhir("_history")};
  for (const std::string& target : kTargets) {
    SCOPED_TRACE(target);
    HistoryPage full = ParseHistoryPage(client().Get(target));
    ASSERT_TRUE(full.error.empty()) << full.error;
    std::set<std::string> expected;
    for (const HistoryEntry& entry : full.entries) {
      if (InstantKey(entry.last_modified) >= InstantKey(since)) expected.insert(Key(entry));
    }
    EXPECT_EQ(expected.count(base() + "/Patient/" + id + "|2"), 1u);

    HistoryPage filtered = ParseHistoryPage(client().Get(target + "?_since=" + UrlEncode(since)));
    ASSERT_TRUE(filtered.error.empty()) << filtered.error;
    std::set<std::string> got;
    for (const HistoryEntry& entry : filtered.entries) got.insert(Key(entry));
    EXPECT_EQ(got, expected);

    // The filter survives paging.
    std::string error;
    std::vector<HistoryEntry> paged =
        FetchAllHistory(client(), target + "?_count=1&_since=" + UrlEncode(since), &error);
    ASSERT_TRUE(error.empty()) << error;
    std::set<std::string> paged_keys;
    for (const HistoryEntry& entry : paged) paged_keys.insert(Key(entry));
    EXPECT_EQ(paged_keys, expected);
    EXPECT_EQ(paged.size(), expected.size());

    HistoryPage future = ParseHistoryPage(client().Get(target + "?_since=2100-01-01T00:00:00Z"));
    ASSERT_TRUE(future.error.empty()) << future.error;
    EXPECT_TRUE(future.entries.empty());
    HistoryPage past =
        ParseHistoryPage(client().Get(target + "?_since=2000-01-01T00:00:00%2B01:00"));
    ASSERT_TRUE(past.error.empty()) << past.error;
    EXPECT_EQ(past.entries.size(), full.entries.size());
  }
}

TEST_F(HistoryTest, AtKeepsVersionsCurrentDuringThePeriod) {
  const std::string id = CreatePatient("Op");
  ASSERT_FALSE(id.empty());
  Response second = client().Put(Fhir("Patient/" + id), PatientJson("Op2", id));
  ASSERT_EQ(second.status, 200) << second;
  ASSERT_EQ(client().Put(Fhir("Patient/" + id), PatientJson("Op3", id)).status, 200);
  const std::string target = Fhir("Patient/" + id + "/_history");

  // Long after all writes only the last version is (still) current.
  for (const char* at : {"2100-01-01", "2100-01-01T00:00:00Z"}) {
    SCOPED_TRACE(at);
    HistoryPage future = ParseHistoryPage(client().Get(target + "?_at=" + at));
    ASSERT_TRUE(future.error.empty()) << future.error;
    EXPECT_EQ(Versions(future.entries), std::vector<int>{3});
  }
  // Before the resource existed nothing was current.
  HistoryPage past = ParseHistoryPage(client().Get(target + "?_at=2000-01-01"));
  ASSERT_TRUE(past.error.empty()) << past.error;
  EXPECT_TRUE(past.entries.empty());

  // At the instant version 2 was written. Writes can share a timestamp, so the expectation comes
  // from the recorded timeline: the latest version written at or before that instant was current
  // then and must be listed; a version replaced strictly before it must not be.
  const std::string at = StringAt(ParseJson(second.body), "/meta/lastUpdated");
  const auto at_key = InstantKey(at);
  ASSERT_TRUE(at_key.has_value()) << second;
  HistoryPage full = ParseHistoryPage(client().Get(target));
  ASSERT_TRUE(full.error.empty()) << full.error;
  ASSERT_EQ(full.entries.size(), 3u);
  std::string timeline;
  int current_then = -1;
  std::vector<int> replaced_before;
  for (std::size_t i = 0; i < full.entries.size(); ++i) {  // newest first
    const HistoryEntry& entry = full.entries[i];
    timeline += " v" + std::to_string(entry.version) + "@" + entry.last_modified;
    if (current_then < 0 && InstantKey(entry.last_modified) <= at_key) current_then = entry.version;
    if (i > 0 && InstantKey(full.entries[i - 1].last_modified) < at_key) {
      replaced_before.push_back(entry.version);
    }
  }
  HistoryPage moment = ParseHistoryPage(client().Get(target + "?_at=" + UrlEncode(at)));
  ASSERT_TRUE(moment.error.empty()) << moment.error;
  const std::vector<int> versions = Versions(moment.entries);
  const std::string context =
      "_at=" + at + " gave " + ::testing::PrintToString(versions) + "; versions:" + timeline;
  EXPECT_NE(std::find(versions.begin(), versions.end(), current_then), versions.end()) << context;
  for (int old : replaced_before) {
    EXPECT_EQ(std::find(versions.begin(), versions.end(), old), versions.end()) << context;
  }
}

TEST_F(HistoryTest, MalformedParametersAre400) {
  const std::string id = CreatePatient("Fout");
  ASSERT_FALSE(id.empty());
  const std::string kTargets[] = {Fhir("Patient/" + id + "/_history"), Fhir("Patient/_history"),
                                  Fhir("_history")};
  const char* kQueries[] = {"_since=yesterday", "_count=abc", "_count=-1"};
  for (const std::string& target : kTargets) {
    for (const char* query : kQueries) {
      SCOPED_TRACE(target + "?" + query);
      Response response = client().Get(target + "?" + query);
      EXPECT_EQ(response.status, 400) << response;
      EXPECT_TRUE(IsOperationOutcome(response));
    }
  }
}

TEST_F(HistoryTest, HistoryOfUnknownResourceOrTypeIs404) {
  Response instance = client().Get(Fhir("Patient/never-existed/_history"));
  EXPECT_EQ(instance.status, 404) << instance;
  EXPECT_TRUE(IsOperationOutcome(instance));
  Response type = client().Get(Fhir("Foo/_history"));
  EXPECT_EQ(type.status, 404) << type;
  EXPECT_TRUE(IsOperationOutcome(type));
}

}  // namespace
}  // namespace schakel::integration
