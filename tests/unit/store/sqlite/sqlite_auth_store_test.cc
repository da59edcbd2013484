// The authorization server's store against a real database file: clients, refresh-token
// rotation and reuse detection, revocation, client-assertion replay, pruning, and several
// stores (as several processes would) on one file.
#include "store/sqlite/sqlite_auth_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/auth_schema.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/unit/store/sqlite/sqlite_test_support.h"

namespace schakel::store {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;  // seconds
constexpr std::int64_t kHour = 3'600;

std::unique_ptr<SqliteAuthStore> OpenAuthOrDie(const std::string& path) {
  SqliteAuthStoreOptions options;
  options.path = path;
  fhir::Result<std::unique_ptr<SqliteAuthStore>> store = SqliteAuthStore::Open(options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

Client PatientApp(std::string id) {
  Client client;
  client.id = std::move(id);
  client.name = "Mijn Gezondheid";
  client.kind = Client::Kind::kPatientApp;
  client.redirect_uris = {"https://app.example.org/callback", "http://127.0.0.1:8123/cb",
                          "nl.example.app:/oauth"};
  client.created_at = kNow;
  return client;
}

Client Backend(std::string id) {
  Client client;
  client.id = std::move(id);
  client.name = "Lab system";
  client.kind = Client::Kind::kBackend;
  client.jwks = R"({"keys":[{"kty":"EC","crv":"P-256","x":"abc","y":"def","kid":"k1"}]})";
  client.organization_ura = "12345678";
  client.organization_type = "laboratory";
  client.scope = "system/Observation.cruds system/Patient.rs";
  client.created_at = kNow + 1;
  return client;
}

RefreshToken Token(std::string hash, std::string client_id, std::string family,
                   std::int64_t expires_at = kNow + kHour) {
  RefreshToken token;
  token.hash = std::move(hash);
  token.client_id = std::move(client_id);
  token.family = std::move(family);
  token.scope = "openid fhirUser launch/patient patient/*.rs offline_access";
  token.patient = "p1";
  token.fhir_user = "https://fhir.example.org/Patient/p1";
  token.issued_at = kNow;
  token.expires_at = expires_at;
  return token;
}

class SqliteAuthStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("auth.db");
    store_ = OpenAuthOrDie(path_);
    ASSERT_NE(store_, nullptr);
    ASSERT_TRUE(store_->AddClient(PatientApp("app")).ok());
  }

  void Reopen() {
    store_.reset();
    store_ = OpenAuthOrDie(path_);
    ASSERT_NE(store_, nullptr);
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<SqliteAuthStore> store_;
};

// --- Opening ---

TEST_F(SqliteAuthStoreTest, CreatesTheSchemaInWalMode) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  auto query = [db](const char* sql) {
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &statement, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_step(statement), SQLITE_ROW);
    std::string value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    sqlite3_finalize(statement);
    return value;
  };
  EXPECT_EQ(query("PRAGMA user_version"), std::to_string(sqlite::LatestAuthSchemaVersion()));
  EXPECT_EQ(query("PRAGMA application_id"), std::to_string(sqlite::kAuthApplicationId));
  EXPECT_EQ(query("PRAGMA journal_mode"), "wal");
  sqlite3_close(db);
}

TEST_F(SqliteAuthStoreTest, RefusesTheFhirStoresFileAndBadPaths) {
  const std::string fhir_path = dir_.File("schakel.db");
  ASSERT_NE(OpenOrDie(OptionsFor(fhir_path, FixedClock())), nullptr);
  SqliteAuthStoreOptions options;
  options.path = fhir_path;
  fhir::Result<std::unique_ptr<SqliteAuthStore>> store = SqliteAuthStore::Open(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), fhir::Code::kInvalidInput);
  EXPECT_NE(store.status().message().find(fhir_path), std::string_view::npos);

  for (const char* path : {"", ":memory:", "file:auth.db"}) {
    options.path = path;
    EXPECT_EQ(SqliteAuthStore::Open(options).status().code(), fhir::Code::kInvalidInput) << path;
  }
  options.path = dir_.File("missing-directory/auth.db");
  EXPECT_FALSE(SqliteAuthStore::Open(options).ok());
}

TEST_F(SqliteAuthStoreTest, RefusesANewerSchemaVersion) {
  store_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  SqliteAuthStoreOptions options;
  options.path = path_;
  fhir::Result<std::unique_ptr<SqliteAuthStore>> store = SqliteAuthStore::Open(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), fhir::Code::kNotSupported);
}

// --- Clients ---

TEST_F(SqliteAuthStoreTest, AddGetListRemoveClients) {
  ASSERT_TRUE(store_->AddClient(Backend("lab")).ok());
  Client bare;
  bare.id = "bare";
  ASSERT_TRUE(store_->AddClient(bare).ok());

  fhir::Result<Client> app = store_->GetClient("app");
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  EXPECT_EQ(*app, PatientApp("app"));
  fhir::Result<Client> lab = store_->GetClient("lab");
  ASSERT_TRUE(lab.ok());
  EXPECT_EQ(*lab, Backend("lab"));
  fhir::Result<Client> read_bare = store_->GetClient("bare");
  ASSERT_TRUE(read_bare.ok());
  EXPECT_EQ(*read_bare, bare);

  fhir::Result<std::vector<Client>> all = store_->ListClients();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3U);
  EXPECT_EQ((*all)[0], PatientApp("app"));
  EXPECT_EQ((*all)[1], bare);
  EXPECT_EQ((*all)[2], Backend("lab"));

  EXPECT_TRUE(store_->RemoveClient("app").ok());
  EXPECT_EQ(store_->GetClient("app").status().code(), fhir::Code::kNotFound);
  EXPECT_EQ(store_->RemoveClient("app").code(), fhir::Code::kNotFound);
  all = store_->ListClients();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2U);
}

TEST_F(SqliteAuthStoreTest, ClientIdsAreUniqueAndNotEmpty) {
  Client other = Backend("app");
  fhir::Status status = store_->AddClient(other);
  EXPECT_EQ(status.code(), fhir::Code::kConflict);
  // The first registration is untouched, redirect URIs included.
  fhir::Result<Client> app = store_->GetClient("app");
  ASSERT_TRUE(app.ok());
  EXPECT_EQ(*app, PatientApp("app"));

  EXPECT_EQ(store_->AddClient(Client{}).code(), fhir::Code::kInvalidInput);
  EXPECT_EQ(store_->GetClient("nobody").status().code(), fhir::Code::kNotFound);
  EXPECT_EQ(store_->GetClient("").status().code(), fhir::Code::kNotFound);
}

TEST_F(SqliteAuthStoreTest, RemovingAClientRemovesItsRefreshTokens) {
  ASSERT_TRUE(store_->AddClient(Backend("lab")).ok());
  ASSERT_TRUE(store_->PutRefreshToken(Token("h1", "app", "f1")).ok());
  ASSERT_TRUE(store_->PutRefreshToken(Token("h2", "lab", "f2")).ok());
  ASSERT_TRUE(store_->RemoveClient("app").ok());
  // Registered again under the same id, the client does not get the old tokens back.
  ASSERT_TRUE(store_->AddClient(PatientApp("app")).ok());
  EXPECT_EQ(store_->UseRefreshToken("h1", kNow).status().code(), fhir::Code::kNotFound);
  EXPECT_TRUE(store_->UseRefreshToken("h2", kNow).ok());
}

// --- Refresh tokens ---

TEST_F(SqliteAuthStoreTest, UseRefreshTokenReturnsItOnce) {
  const RefreshToken token = Token("h1", "app", "f1");
  ASSERT_TRUE(store_->PutRefreshToken(token).ok());
  fhir::Result<RefreshToken> used = store_->UseRefreshToken("h1", kNow + 10);
  ASSERT_TRUE(used.ok()) << used.status().ToString();
  EXPECT_EQ(*used, token);
  EXPECT_EQ(store_->UseRefreshToken("unknown", kNow).status().code(), fhir::Code::kNotFound);
}

TEST_F(SqliteAuthStoreTest, ReuseOfARotatedTokenRevokesTheFamily) {
  ASSERT_TRUE(store_->PutRefreshToken(Token("h1", "app", "f1")).ok());
  ASSERT_TRUE(store_->PutRefreshToken(Token("other", "app", "f2")).ok());
  // Rotation: h1 is used, h2 of the same family issued.
  ASSERT_TRUE(store_->UseRefreshToken("h1", kNow).ok());
  ASSERT_TRUE(store_->PutRefreshToken(Token("h2", "app", "f1")).ok());

  // h1 again: a replay.
  fhir::Result<RefreshToken> replay = store_->UseRefreshToken("h1", kNow + 1);
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.status().code(), fhir::Code::kUnauthorized);
  EXPECT_NE(replay.status().message().find("reuse"), std::string_view::npos);

  // The newest token of the family is dead too, and the family takes no new tokens (a rotation
  // that raced with the detection).
  EXPECT_EQ(store_->UseRefreshToken("h2", kNow + 2).status().code(), fhir::Code::kNotFound);
  EXPECT_EQ(store_->PutRefreshToken(Token("h3", "app", "f1")).code(), fhir::Code::kUnauthorized);
  // Still reported as reuse when replayed again.
  EXPECT_EQ(store_->UseRefreshToken("h1", kNow + 3).status().code(), fhir::Code::kUnauthorized);
  // Other families are untouched.
  EXPECT_TRUE(store_->UseRefreshToken("other", kNow + 4).ok());
}

TEST_F(SqliteAuthStoreTest, ExpiredTokensAreNotFound) {
  ASSERT_TRUE(store_->PutRefreshToken(Token("h1", "app", "f1", kNow + 100)).ok());
  ASSERT_TRUE(store_->PutRefreshToken(Token("h2", "app", "f2", kNow + 100)).ok());
  EXPECT_EQ(store_->UseRefreshToken("h1", kNow + 100).status().code(), fhir::Code::kNotFound);
  EXPECT_EQ(store_->UseRefreshToken("h1", kNow + 101).status().code(), fhir::Code::kNotFound);
  EXPECT_TRUE(store_->UseRefreshToken("h2", kNow + 99).ok());
}

TEST_F(SqliteAuthStoreTest, PutRefreshTokenChecksClientAndHash) {
  EXPECT_EQ(store_->PutRefreshToken(Token("h1", "nobody", "f1")).code(), fhir::Code::kNotFound);
  ASSERT_TRUE(store_->PutRefreshToken(Token("h1", "app", "f1")).ok());
  EXPECT_EQ(store_->PutRefreshToken(Token("h1", "app", "f9")).code(), fhir::Code::kConflict);
  fhir::Result<RefreshToken> used = store_->UseRefreshToken("h1", kNow);
  ASSERT_TRUE(used.ok());
  EXPECT_EQ(used->family, "f1");
}

TEST_F(SqliteAuthStoreTest, HashesAreBytes) {
  const std::string binary("\x00\xff\x10\x00\x80", 5);
  RefreshToken token = Token(binary, "app", "f1");
  ASSERT_TRUE(store_->PutRefreshToken(token).ok());
  EXPECT_EQ(store_->UseRefreshToken(std::string("\x00\xff\x10\x00", 4), kNow).status().code(),
            fhir::Code::kNotFound);
  fhir::Result<RefreshToken> used = store_->UseRefreshToken(binary, kNow);
  ASSERT_TRUE(used.ok()) << used.status().ToString();
  EXPECT_EQ(used->hash, binary);
}

TEST_F(SqliteAuthStoreTest, RevokeRefreshTokenRevokesItsFamily) {
  ASSERT_TRUE(store_->PutRefreshToken(Token("h1", "app", "f1")).ok());
  ASSERT_TRUE(store_->PutRefreshToken(Token("h2", "app", "f1")).ok());
  ASSERT_TRUE(store_->PutRefreshToken(Token("h3", "app", "f2")).ok());
  EXPECT_TRUE(store_->RevokeRefreshToken("h1").ok());
  EXPECT_EQ(store_->UseRefreshToken("h1", kNow).status().code(), fhir::Code::kNotFound);
  EXPECT_EQ(store_->UseRefreshToken("h2", kNow).status().code(), fhir::Code::kNotFound);
  EXPECT_TRUE(store_->UseRefreshToken("h3", kNow).ok());
  EXPECT_EQ(store_->RevokeRefreshToken("unknown").code(), fhir::Code::kNotFound);
}

TEST_F(SqliteAuthStoreTest, RevokeClientTokens) {
  ASSERT_TRUE(store_->AddClient(Backend("lab")).ok());
  ASSERT_TRUE(store_->PutRefreshToken(Token("h1", "app", "f1")).ok());
  ASSERT_TRUE(store_->PutRefreshToken(Token("h2", "app", "f2")).ok());
  ASSERT_TRUE(store_->PutRefreshToken(Token("h3", "lab", "f3")).ok());
  EXPECT_TRUE(store_->RevokeClientTokens("app").ok());
  EXPECT_EQ(store_->UseRefreshToken("h1", kNow).status().code(), fhir::Code::kNotFound);
  EXPECT_EQ(store_->UseRefreshToken("h2", kNow).status().code(), fhir::Code::kNotFound);
  EXPECT_TRUE(store_->UseRefreshToken("h3", kNow).ok());
  EXPECT_TRUE(store_->RevokeClientTokens("nobody").ok());
  // The client itself stays registered and can be granted new tokens.
  EXPECT_TRUE(store_->GetClient("app").ok());
  EXPECT_TRUE(store_->PutRefreshToken(Token("h4", "app", "f4")).ok());
  EXPECT_TRUE(store_->UseRefreshToken("h4", kNow).ok());
}

// --- Access tokens ---

TEST_F(SqliteAuthStoreTest, RevokedAccessTokens) {
  EXPECT_FALSE(store_->IsRevoked("jti-1"));
  ASSERT_TRUE(store_->RevokeAccessToken("jti-1", kNow + 300).ok());
  EXPECT_TRUE(store_->IsRevoked("jti-1"));
  EXPECT_FALSE(store_->IsRevoked("jti-2"));
  EXPECT_FALSE(store_->IsRevoked(""));
  // Revoking again is fine and never shortens the entry.
  ASSERT_TRUE(store_->RevokeAccessToken("jti-1", kNow + 100).ok());

  ASSERT_TRUE(store_->Prune(kNow + 299).ok());
  EXPECT_TRUE(store_->IsRevoked("jti-1"));
  Reopen();
  EXPECT_TRUE(store_->IsRevoked("jti-1"));
  fhir::Result<std::int64_t> pruned = store_->Prune(kNow + 300);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 1);
  EXPECT_FALSE(store_->IsRevoked("jti-1"));
  Reopen();
  EXPECT_FALSE(store_->IsRevoked("jti-1"));
}

// --- Client assertions ---

TEST_F(SqliteAuthStoreTest, RememberAssertionDetectsReplays) {
  auto remember = [&](const char* client, const char* jti, std::int64_t expires_at,
                      std::int64_t now) {
    fhir::Result<bool> fresh = store_->RememberAssertion(client, jti, expires_at, now);
    EXPECT_TRUE(fresh.ok()) << fresh.status().ToString();
    return fresh.ok() && *fresh;
  };
  EXPECT_TRUE(remember("lab", "a1", kNow + 300, kNow));
  EXPECT_FALSE(remember("lab", "a1", kNow + 300, kNow + 1));
  EXPECT_FALSE(remember("lab", "a1", kNow + 900, kNow + 299));
  // jti values are per client.
  EXPECT_TRUE(remember("other", "a1", kNow + 300, kNow));
  EXPECT_TRUE(remember("lab", "a2", kNow + 300, kNow));
  // Once expired, an unpruned entry no longer blocks the jti (an expired assertion is refused
  // before it gets here anyway).
  EXPECT_TRUE(remember("lab", "a1", kNow + 600, kNow + 300));
  EXPECT_FALSE(remember("lab", "a1", kNow + 600, kNow + 301));
  Reopen();
  EXPECT_FALSE(remember("lab", "a1", kNow + 600, kNow + 302));
}

// --- Pruning ---

TEST_F(SqliteAuthStoreTest, PruneDeletesWhatExpired) {
  ASSERT_TRUE(store_->PutRefreshToken(Token("short", "app", "f1", kNow + 100)).ok());
  ASSERT_TRUE(store_->PutRefreshToken(Token("long", "app", "f2", kNow + 1000)).ok());
  ASSERT_TRUE(store_->RevokeAccessToken("jti-short", kNow + 100).ok());
  ASSERT_TRUE(store_->RevokeAccessToken("jti-long", kNow + 1000).ok());
  ASSERT_TRUE(store_->RememberAssertion("lab", "a-short", kNow + 100, kNow).ok());
  ASSERT_TRUE(store_->RememberAssertion("lab", "a-long", kNow + 1000, kNow).ok());

  fhir::Result<std::int64_t> pruned = store_->Prune(kNow + 99);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 0);
  pruned = store_->Prune(kNow + 100);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 3);
  EXPECT_FALSE(store_->IsRevoked("jti-short"));
  EXPECT_TRUE(store_->IsRevoked("jti-long"));
  fhir::Result<bool> again = store_->RememberAssertion("lab", "a-long", kNow + 1000, kNow + 101);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_TRUE(store_->UseRefreshToken("long", kNow + 101).ok());

  pruned = store_->Prune(kNow + 1000);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 3);
  // A used token is kept until it expires (for reuse detection), then pruned like the rest.
  pruned = store_->Prune(kNow + 5000);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 0);
}

// --- Several stores on one file, as several processes ---

TEST_F(SqliteAuthStoreTest, TwoStoresOnOneFileSeeEachOthersWrites) {
  std::unique_ptr<SqliteAuthStore> cli = OpenAuthOrDie(path_);
  ASSERT_NE(cli, nullptr);
  // Clients registered by one are seen by the other at once.
  ASSERT_TRUE(cli->AddClient(Backend("lab")).ok());
  fhir::Result<Client> lab = store_->GetClient("lab");
  ASSERT_TRUE(lab.ok()) << lab.status().ToString();
  EXPECT_EQ(*lab, Backend("lab"));
  EXPECT_EQ(cli->AddClient(PatientApp("app")).code(), fhir::Code::kConflict);
  ASSERT_TRUE(cli->RemoveClient("app").ok());
  EXPECT_EQ(store_->GetClient("app").status().code(), fhir::Code::kNotFound);

  // Refresh tokens: a use through one and a replay through the other is reuse.
  ASSERT_TRUE(store_->PutRefreshToken(Token("h1", "lab", "f1")).ok());
  ASSERT_TRUE(cli->UseRefreshToken("h1", kNow).ok());
  EXPECT_EQ(store_->UseRefreshToken("h1", kNow).status().code(), fhir::Code::kUnauthorized);

  // Assertions are shared at once.
  ASSERT_TRUE(*cli->RememberAssertion("lab", "a1", kNow + 300, kNow));
  EXPECT_FALSE(*store_->RememberAssertion("lab", "a1", kNow + 300, kNow));

  // Access-token revocations by another process are seen after the next Prune.
  ASSERT_TRUE(cli->RevokeAccessToken("jti-1", kNow + 300).ok());
  EXPECT_TRUE(cli->IsRevoked("jti-1"));
  EXPECT_FALSE(store_->IsRevoked("jti-1"));
  ASSERT_TRUE(store_->Prune(kNow).ok());
  EXPECT_TRUE(store_->IsRevoked("jti-1"));
}

TEST_F(SqliteAuthStoreTest, ReopeningKeepsEverything) {
  ASSERT_TRUE(store_->AddClient(Backend("lab")).ok());
  ASSERT_TRUE(store_->PutRefreshToken(Token("used", "app", "f1")).ok());
  ASSERT_TRUE(store_->UseRefreshToken("used", kNow).ok());
  ASSERT_TRUE(store_->PutRefreshToken(Token("fresh", "app", "f2")).ok());
  ASSERT_TRUE(store_->RevokeAccessToken("jti-1", kNow + 300).ok());
  ASSERT_TRUE(store_->RememberAssertion("lab", "a1", kNow + 300, kNow).ok());

  Reopen();
  fhir::Result<std::vector<Client>> clients = store_->ListClients();
  ASSERT_TRUE(clients.ok());
  ASSERT_EQ(clients->size(), 2U);
  EXPECT_EQ((*clients)[0], PatientApp("app"));
  EXPECT_EQ((*clients)[1], Backend("lab"));
  EXPECT_EQ(store_->UseRefreshToken("used", kNow + 1).status().code(), fhir::Code::kUnauthorized);
  fhir::Result<RefreshToken> fresh = store_->UseRefreshToken("fresh", kNow + 1);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(*fresh, Token("fresh", "app", "f2"));
  EXPECT_TRUE(store_->IsRevoked("jti-1"));
  EXPECT_FALSE(*store_->RememberAssertion("lab", "a1", kNow + 300, kNow + 1));
}

TEST_F(SqliteAuthStoreTest, ConcurrentRememberAssertionAdmitsExactlyOne) {
  // Threads on two stores: within a store they queue on its mutex, between stores on the
  // file's write lock.
  std::unique_ptr<SqliteAuthStore> second = OpenAuthOrDie(path_);
  ASSERT_NE(second, nullptr);
  constexpr int kThreads = 8;
  constexpr int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    const std::string jti = "jti-" + std::to_string(round);
    std::atomic<int> admitted{0};
    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      SqliteAuthStore* store = t % 2 == 0 ? store_.get() : second.get();
      threads.emplace_back([&, store] {
        fhir::Result<bool> fresh = store->RememberAssertion("lab", jti, kNow + 300, kNow);
        if (!fresh.ok()) {
          failed.fetch_add(1);
        } else if (*fresh) {
          admitted.fetch_add(1);
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(failed.load(), 0) << jti;
    EXPECT_EQ(admitted.load(), 1) << jti;
  }
}

TEST_F(SqliteAuthStoreTest, ConcurrentUsesOfOneRefreshTokenAdmitExactlyOne) {
  std::unique_ptr<SqliteAuthStore> second = OpenAuthOrDie(path_);
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(store_->PutRefreshToken(Token("h1", "app", "f1")).ok());
  constexpr int kThreads = 6;
  std::atomic<int> used{0};
  std::atomic<int> reuse{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    SqliteAuthStore* store = t % 2 == 0 ? store_.get() : second.get();
    threads.emplace_back([&, store] {
      fhir::Result<RefreshToken> token = store->UseRefreshToken("h1", kNow);
      if (token.ok()) {
        used.fetch_add(1);
      } else if (token.status().code() == fhir::Code::kUnauthorized) {
        reuse.fetch_add(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(used.load(), 1);
  EXPECT_EQ(reuse.load(), kThreads - 1);
}

}  // namespace
}  // namespace schakel::store
