#include "server/auth/signing_keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "fhir/json/parse.h"

namespace schakel::server::auth {
namespace {

namespace fs = std::filesystem;
using fhir::Code;
using fhir::json::Value;

constexpr std::int64_t kT0 = 1'700'000'000;
constexpr std::int64_t kLifetime = 3600;

class SigningKeyRingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    root_ = fs::temp_directory_path() /
            ("schakel-keys-" + std::to_string(random()) + "-" + std::to_string(random()));
    ASSERT_TRUE(fs::create_directory(root_));
    dir_ = root_ / "data" / "keys";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  std::unique_ptr<SigningKeyRing> OpenRing(std::int64_t now = kT0) {
    fhir::Result<std::unique_ptr<SigningKeyRing>> ring = SigningKeyRing::Open(dir_, now, kLifetime);
    EXPECT_TRUE(ring.ok()) << ring.status().ToString();
    return ring.ok() ? std::move(*ring) : nullptr;
  }

  std::vector<std::string> KeyFiles() const {
    std::vector<std::string> names;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir_)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  static std::string SignToken(const SigningKeyRing& ring) {
    Value payload = Value::Object();
    payload.Set("sub", Value::String("user"));
    fhir::Result<std::string> token = ring.Sign(Value::Object(), payload);
    EXPECT_TRUE(token.ok()) << token.status().ToString();
    return token.ok() ? *token : std::string();
  }

  static fhir::Status VerifyToken(const SigningKeyRing& ring, const std::string& token) {
    fhir::Result<ParsedJws> jws = ParseCompact(token);
    if (!jws.ok()) return jws.status();
    return ring.Verify(*jws);
  }

  static unsigned Mode(const fs::path& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return static_cast<unsigned>(st.st_mode & 07777);
  }

  fs::path root_;
  fs::path dir_;
};

TEST_F(SigningKeyRingTest, FirstOpenGeneratesOnePrivateKeyFile) {
  std::unique_ptr<SigningKeyRing> ring = OpenRing();
  ASSERT_TRUE(ring);
  EXPECT_EQ(ring->size(), 1u);
  EXPECT_EQ(Mode(dir_), 0700u);
  const std::vector<std::string> files = KeyFiles();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0], std::to_string(kT0) + "-" + ring->active_kid() + ".pem");
  EXPECT_EQ(Mode(dir_ / files[0]), 0600u);
  EXPECT_EQ(ring->active_kid().size(), 43u);  // base64url SHA-256

  const std::shared_ptr<const PublicKey> key = ring->Find(ring->active_kid());
  ASSERT_TRUE(key);
  EXPECT_EQ(key->Thumbprint(), ring->active_kid());
  EXPECT_FALSE(ring->Find("unknown"));
}

TEST_F(SigningKeyRingTest, ReopenLoadsTheSameKey) {
  std::string kid;
  std::string token;
  {
    std::unique_ptr<SigningKeyRing> ring = OpenRing();
    ASSERT_TRUE(ring);
    kid = ring->active_kid();
    token = SignToken(*ring);
  }
  std::unique_ptr<SigningKeyRing> ring = OpenRing(kT0 + 10);
  ASSERT_TRUE(ring);
  EXPECT_EQ(ring->size(), 1u);
  EXPECT_EQ(ring->active_kid(), kid);
  EXPECT_TRUE(VerifyToken(*ring, token).ok());
  EXPECT_EQ(KeyFiles().size(), 1u);
}

TEST_F(SigningKeyRingTest, SignsEs256WithKidAndPublishesJwks) {
  std::unique_ptr<SigningKeyRing> ring = OpenRing();
  ASSERT_TRUE(ring);
  const std::string token = SignToken(*ring);
  fhir::Result<ParsedJws> jws = ParseCompact(token);
  ASSERT_TRUE(jws.ok()) << jws.status().ToString();
  EXPECT_EQ(jws->alg, Algorithm::kEs256);
  ASSERT_NE(jws->kid(), nullptr);
  EXPECT_EQ(*jws->kid(), ring->active_kid());
  EXPECT_TRUE(ring->Verify(*jws).ok());
  const Algorithm es256[] = {Algorithm::kEs256};
  EXPECT_TRUE(Verify(*jws, *ring->Find(*jws->kid()), es256).ok());

  const Value jwks = ring->Jwks();
  const Value* keys = jwks.Find("keys");
  ASSERT_TRUE(keys != nullptr && keys->is_array());
  ASSERT_EQ(keys->size(), 1u);
  const Value& jwk = keys->items()[0];
  std::vector<std::string> members;
  for (const auto& m : jwk.members()) members.push_back(m.name);
  EXPECT_EQ(members, (std::vector<std::string>{"kty", "crv", "x", "y", "kid", "alg", "use"}));
  EXPECT_EQ(*jwk.FindString("kid"), ring->active_kid());
  EXPECT_EQ(*jwk.FindString("alg"), "ES256");
  EXPECT_EQ(*jwk.FindString("use"), "sig");

  // A client reading our JWKS can verify our tokens.
  fhir::Result<JwkSet> set = JwkSet::FromValue(jwks);
  ASSERT_TRUE(set.ok());
  ASSERT_NE(set->Find(ring->active_kid()), nullptr);
  EXPECT_TRUE(Verify(*jws, *set->Find(ring->active_kid()), es256).ok());

  EXPECT_FALSE(ring->Sign(Value::Array(), Value::Object()).ok());
}

TEST_F(SigningKeyRingTest, RotationKeepsTheOldKeyUntilItsTokensExpire) {
  std::unique_ptr<SigningKeyRing> ring = OpenRing();
  ASSERT_TRUE(ring);
  const std::string old_kid = ring->active_kid();
  const std::string old_token = SignToken(*ring);

  const std::int64_t t1 = kT0 + 100;
  ASSERT_TRUE(ring->Rotate(t1).ok());
  EXPECT_EQ(ring->size(), 2u);
  EXPECT_NE(ring->active_kid(), old_kid);
  EXPECT_EQ(ring->Jwks().Find("keys")->size(), 2u);
  EXPECT_EQ(KeyFiles().size(), 2u);
  EXPECT_TRUE(VerifyToken(*ring, old_token).ok());
  const std::string new_token = SignToken(*ring);
  EXPECT_EQ(*ParseCompact(new_token)->kid(), ring->active_kid());

  // Reopening finds both, the newest active.
  {
    std::unique_ptr<SigningKeyRing> reopened = OpenRing(t1 + 1);
    ASSERT_TRUE(reopened);
    EXPECT_EQ(reopened->size(), 2u);
    EXPECT_EQ(reopened->active_kid(), ring->active_kid());
  }

  ASSERT_TRUE(ring->Prune(t1 + kLifetime - 1).ok());
  EXPECT_EQ(ring->size(), 2u);
  EXPECT_TRUE(VerifyToken(*ring, old_token).ok());

  ASSERT_TRUE(ring->Prune(t1 + kLifetime).ok());
  EXPECT_EQ(ring->size(), 1u);
  EXPECT_FALSE(ring->Find(old_kid));
  EXPECT_EQ(KeyFiles(),
            std::vector<std::string>{std::to_string(t1) + "-" + ring->active_kid() + ".pem"});
  const fhir::Status status = VerifyToken(*ring, old_token);
  EXPECT_EQ(status.code(), Code::kUnauthorized);
  EXPECT_TRUE(VerifyToken(*ring, new_token).ok());
  EXPECT_EQ(ring->Jwks().Find("keys")->size(), 1u);
}

TEST_F(SigningKeyRingTest, OpenPrunesExpiredKeys) {
  {
    std::unique_ptr<SigningKeyRing> ring = OpenRing();
    ASSERT_TRUE(ring);
    ASSERT_TRUE(ring->Rotate(kT0 + 10).ok());
    ASSERT_TRUE(ring->Rotate(kT0 + 20).ok());
    EXPECT_EQ(ring->size(), 3u);
  }
  std::unique_ptr<SigningKeyRing> ring = OpenRing(kT0 + 20 + kLifetime);
  ASSERT_TRUE(ring);
  EXPECT_EQ(ring->size(), 1u);
  EXPECT_EQ(KeyFiles().size(), 1u);
}

TEST_F(SigningKeyRingTest, TheNewestKeyStaysActiveWhenTheClockGoesBack) {
  std::unique_ptr<SigningKeyRing> ring = OpenRing();
  ASSERT_TRUE(ring);
  ASSERT_TRUE(ring->Rotate(kT0 - 500).ok());
  const std::string active = ring->active_kid();
  EXPECT_EQ(KeyFiles().back(), std::to_string(kT0 + 1) + "-" + active + ".pem");
  std::unique_ptr<SigningKeyRing> reopened = OpenRing();
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->active_kid(), active);
}

TEST_F(SigningKeyRingTest, RefusesAKeyFileOthersMayRead) {
  { ASSERT_TRUE(OpenRing()); }
  const fs::path file = dir_ / KeyFiles()[0];
  ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
  fhir::Result<std::unique_ptr<SigningKeyRing>> ring = SigningKeyRing::Open(dir_, kT0, kLifetime);
  ASSERT_FALSE(ring.ok());
  EXPECT_NE(ring.status().message().find("group or other"), std::string_view::npos)
      << ring.status().message();
  EXPECT_NE(ring.status().message().find("0640"), std::string_view::npos);

  ASSERT_EQ(::chmod(file.c_str(), 0604), 0);
  EXPECT_FALSE(SigningKeyRing::Open(dir_, kT0, kLifetime).ok());
  ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  EXPECT_TRUE(SigningKeyRing::Open(dir_, kT0, kLifetime).ok());
}

TEST_F(SigningKeyRingTest, IgnoresOtherFilesAndRefusesMisnamedKeys) {
  std::string kid;
  {
    std::unique_ptr<SigningKeyRing> ring = OpenRing();
    ASSERT_TRUE(ring);
    kid = ring->active_kid();
  }
  std::ofstream(dir_ / "README") << "not a key";
  std::ofstream(dir_ / (".123-" + kid + ".pem.tmp")) << "half a key";
  std::ofstream(dir_ / "notanumber-abc.pem") << "not a key";
  std::unique_ptr<SigningKeyRing> ring = OpenRing();
  ASSERT_TRUE(ring);
  EXPECT_EQ(ring->size(), 1u);
  EXPECT_EQ(ring->active_kid(), kid);

  // A key file whose name does not carry its own thumbprint.
  const fs::path file = dir_ / (std::to_string(kT0) + "-" + kid + ".pem");
  fs::rename(file, dir_ / (std::to_string(kT0) + "-wrongkid.pem"));
  fhir::Result<std::unique_ptr<SigningKeyRing>> misnamed =
      SigningKeyRing::Open(dir_, kT0, kLifetime);
  ASSERT_FALSE(misnamed.ok());
  EXPECT_EQ(misnamed.status().code(), Code::kInvalidInput);
}

TEST_F(SigningKeyRingTest, SignsAndVerifiesWhileRotating) {
  std::unique_ptr<SigningKeyRing> ring = OpenRing();
  ASSERT_TRUE(ring);
  std::atomic<int> failures{0};
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        const std::string token = SignToken(*ring);
        if (!VerifyToken(*ring, token).ok()) ++failures;
        static_cast<void>(ring->Jwks());
      }
    });
  }
  for (int r = 1; r <= 5; ++r) {
    EXPECT_TRUE(ring->Rotate(kT0 + r).ok());
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(ring->size(), 6u);
}

}  // namespace
}  // namespace schakel::server::auth
