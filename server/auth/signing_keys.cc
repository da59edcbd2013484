#include "server/auth/signing_keys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <system_error>

namespace schakel::server::auth {
namespace {

using fhir::Result;
using fhir::Status;
using fhir::json::Value;

constexpr std::string_view kPemSuffix = ".pem";
constexpr std::string_view kTempPrefix = ".";
constexpr std::string_view kTempSuffix = ".tmp";
// A P-256 PKCS#8 PEM is about 240 bytes; anything much larger is not one of our keys.
constexpr std::size_t kMaxKeyFileBytes = 16 * std::size_t{1024};
constexpr Algorithm kAlgorithm = Algorithm::kEs256;

// Owns a file descriptor.
class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting the error close() can return after a failed delayed write.
  bool Close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

Status Errno(std::string_view what, const std::filesystem::path& path) {
  return Status::Internal(std::string(what) + " " + path.string() + ": " + std::strerror(errno));
}

// Parses "<created>-<kid>.pem"; nullopt for any other name.
std::optional<std::pair<std::int64_t, std::string>> ParseFileName(std::string_view name) {
  if (name.size() <= kPemSuffix.size() || !name.ends_with(kPemSuffix)) return std::nullopt;
  name.remove_suffix(kPemSuffix.size());
  const std::size_t dash = name.find('-');
  if (dash == 0 || dash == std::string_view::npos || dash + 1 == name.size()) return std::nullopt;
  std::int64_t created = 0;
  auto [ptr, ec] = std::from_chars(name.data(), name.data() + dash, created);
  if (ec != std::errc() || ptr != name.data() + dash || created < 0) return std::nullopt;
  const std::string_view kid = name.substr(dash + 1);
  for (char c : kid) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return std::nullopt;
  }
  return std::make_pair(created, std::string(kid));
}

std::string FileName(std::int64_t created, std::string_view kid) {
  return std::to_string(created) + "-" + std::string(kid) + std::string(kPemSuffix);
}

// Reads a key file, refusing one that is not a regular file of ours that only we may access.
Result<std::string> ReadKeyFile(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) return Errno("cannot open key file", path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Errno("cannot stat key file", path);
  if (!S_ISREG(st.st_mode)) return Status::InvalidInput(path.string() + " is not a regular file");
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::InvalidInput("refusing key file " + path.string() + ": group or other may " +
                                "access it (mode " + mode + "); it must be 0600");
  }
  if (static_cast<std::size_t>(st.st_size) > kMaxKeyFileBytes) {
    return Status::InvalidInput("key file " + path.string() + " is too large");
  }
  std::string content(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::read(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("cannot read key file", path);
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  content.resize(done);
  return content;
}

// Writes `content` to `path` atomically and durably: a fresh 0600 temporary file, fsync, rename,
// fsync of the directory.
Status WriteKeyFile(const std::filesystem::path& dir, const std::string& name,
                    std::string_view content) {
  const std::filesystem::path temp =
      dir / (std::string(kTempPrefix) + name + std::string(kTempSuffix));
  const std::filesystem::path path = dir / name;
  {
    UniqueFd fd(::open(temp.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (fd.get() < 0) return Errno("cannot create key file", temp);
    std::size_t done = 0;
    while (done < content.size()) {
      const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        Status error = Errno("cannot write key file", temp);
        ::unlink(temp.c_str());
        return error;
      }
      done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0 || !fd.Close()) {
      Status error = Errno("cannot flush key file", temp);
      ::unlink(temp.c_str());
      return error;
    }
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    Status error = Errno("cannot rename key file into place", path);
    ::unlink(temp.c_str());
    return error;
  }
  UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0) return Errno("cannot sync directory", dir);
  return Status::Ok();
}

// Creates `dir` with mode 0700 (parents with the default mode) unless it exists.
Status EnsureDirectory(const std::filesystem::path& dir) {
  std::error_code ec;
  if (dir.has_parent_path()) {
    std::filesystem::create_directories(dir.parent_path(), ec);
    if (ec)
      return Status::Internal("cannot create " + dir.parent_path().string() + ": " + ec.message());
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Errno("cannot create key directory", dir);
  }
  if (!std::filesystem::is_directory(dir, ec)) {
    return Status::Internal(dir.string() + " is not a directory");
  }
  return Status::Ok();
}

std::shared_ptr<const PublicKey> Publish(PublicKey key, std::string kid) {
  key.set_kid(std::move(kid));
  key.set_alg(std::string(AlgorithmName(kAlgorithm)));
  key.set_use("sig");
  return std::make_shared<const PublicKey>(std::move(key));
}

}  // namespace

Result<std::unique_ptr<SigningKeyRing>> SigningKeyRing::Open(
    const std::filesystem::path& dir, std::int64_t now, std::int64_t max_token_lifetime_seconds) {
  if (max_token_lifetime_seconds < 0) {
    return Status::InvalidInput("max token lifetime must not be negative");
  }
  std::filesystem::path clean = dir.lexically_normal();
  if (!clean.has_filename() && clean.has_parent_path()) clean = clean.parent_path();  // "keys/"
  SCHAKEL_RETURN_IF_ERROR(EnsureDirectory(clean));
  std::unique_ptr<SigningKeyRing> ring(new SigningKeyRing(clean, max_token_lifetime_seconds));
  std::lock_guard write_lock(ring->write_mutex_);
  SCHAKEL_RETURN_IF_ERROR(ring->Load());
  if (ring->keys_.empty()) {
    Result<Entry> entry = ring->Create(now);
    if (!entry.ok()) return entry.status();
    std::unique_lock lock(ring->mutex_);
    ring->keys_.push_back(std::move(entry).value());
  }
  SCHAKEL_RETURN_IF_ERROR(ring->PruneLocked(now));
  return ring;
}

Status SigningKeyRing::Load() {
  std::error_code ec;
  std::vector<Entry> loaded;
  for (std::filesystem::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::optional<std::pair<std::int64_t, std::string>> parsed = ParseFileName(name);
    if (!parsed) continue;
    Result<std::string> pem = ReadKeyFile(it->path());
    if (!pem.ok()) return pem.status();
    Result<PrivateKey> key = PrivateKey::FromPem(*pem);
    if (!key.ok()) {
      return Status::InvalidInput("key file " + it->path().string() + ": " +
                                  std::string(key.status().message()));
    }
    if (key->type() != KeyType::kEcP256) {
      return Status::InvalidInput("key file " + it->path().string() + " is not an EC P-256 key");
    }
    Result<PublicKey> public_key = key->GetPublicKey();
    if (!public_key.ok()) return public_key.status();
    if (public_key->Thumbprint() != parsed->second) {
      return Status::InvalidInput("key file " + it->path().string() +
                                  ": the name's kid is not the key's thumbprint");
    }
    Entry entry;
    entry.created = parsed->first;
    entry.kid = parsed->second;
    entry.path = it->path();
    entry.private_key = std::make_shared<const PrivateKey>(std::move(key).value());
    entry.public_key = Publish(std::move(public_key).value(), entry.kid);
    loaded.push_back(std::move(entry));
  }
  if (ec) return Status::Internal("cannot list " + dir_.string() + ": " + ec.message());
  std::sort(loaded.begin(), loaded.end(), [](const Entry& a, const Entry& b) {
    return a.created != b.created ? a.created < b.created : a.kid < b.kid;
  });
  std::unique_lock lock(mutex_);
  keys_ = std::move(loaded);
  return Status::Ok();
}

Result<SigningKeyRing::Entry> SigningKeyRing::Create(std::int64_t created) const {
  Result<PrivateKey> key = PrivateKey::Generate(KeyType::kEcP256);
  if (!key.ok()) return key.status();
  Result<PublicKey> public_key = key->GetPublicKey();
  if (!public_key.ok()) return public_key.status();
  Result<std::string> pem = key->ToPem();
  if (!pem.ok()) return pem.status();
  Entry entry;
  entry.created = created;
  entry.kid = public_key->Thumbprint();
  entry.path = dir_ / FileName(created, entry.kid);
  SCHAKEL_RETURN_IF_ERROR(WriteKeyFile(dir_, entry.path.filename().string(), *pem));
  entry.private_key = std::make_shared<const PrivateKey>(std::move(key).value());
  entry.public_key = Publish(std::move(public_key).value(), entry.kid);
  return entry;
}

Status SigningKeyRing::Rotate(std::int64_t now) {
  std::lock_guard write_lock(write_mutex_);
  // keys_ changes only under write_mutex_, which we hold: reading it needs no other lock.
  const std::int64_t created = std::max(now, keys_.back().created + 1);
  Result<Entry> entry = Create(created);
  if (!entry.ok()) return entry.status();
  {
    std::unique_lock lock(mutex_);
    keys_.push_back(std::move(entry).value());
  }
  return PruneLocked(now);
}

Status SigningKeyRing::Prune(std::int64_t now) {
  std::lock_guard write_lock(write_mutex_);
  return PruneLocked(now);
}

Status SigningKeyRing::PruneLocked(std::int64_t now) {
  std::vector<std::string> expired;
  for (std::size_t i = 0; i + 1 < keys_.size(); ++i) {
    if (now >= keys_[i + 1].created + max_token_lifetime_) expired.push_back(keys_[i].kid);
  }
  Status status;
  for (const std::string& kid : expired) {
    auto it =
        std::find_if(keys_.begin(), keys_.end(), [&](const Entry& e) { return e.kid == kid; });
    // A deletion that is lost in a crash only brings back a key the next Prune deletes again, so
    // the directory is not synced here.
    if (::unlink(it->path.c_str()) != 0 && errno != ENOENT) {
      if (status.ok()) status = Errno("cannot delete retired key file", it->path);
      continue;
    }
    std::unique_lock lock(mutex_);
    keys_.erase(it);
  }
  return status;
}

Result<std::string> SigningKeyRing::Sign(Value header, const Value& payload) const {
  if (!header.is_object()) return Status::InvalidInput("JWS header must be a JSON object");
  std::shared_ptr<const PrivateKey> key;
  {
    std::shared_lock lock(mutex_);
    key = Active().private_key;
    header.Set("kid", Value::String(Active().kid));
  }
  return auth::Sign(kAlgorithm, *key, std::move(header), payload);
}

Status SigningKeyRing::Verify(const ParsedJws& jws) const {
  const std::string* kid = jws.kid();
  if (kid == nullptr) return Status::Unauthorized("token has no kid");
  std::shared_ptr<const PublicKey> key = Find(*kid);
  if (!key) return Status::Unauthorized("token signed with an unknown key");
  return auth::Verify(jws, *key, std::span<const Algorithm>(&kAlgorithm, 1));
}

std::shared_ptr<const PublicKey> SigningKeyRing::Find(std::string_view kid) const {
  std::shared_lock lock(mutex_);
  for (const Entry& entry : keys_) {
    if (entry.kid == kid) return entry.public_key;
  }
  return nullptr;
}

Value SigningKeyRing::Jwks() const {
  Value keys = Value::Array();
  {
    std::shared_lock lock(mutex_);
    for (const Entry& entry : keys_) keys.Push(entry.public_key->ToJwk());
  }
  Value jwks = Value::Object();
  jwks.Set("keys", std::move(keys));
  return jwks;
}

std::string SigningKeyRing::active_kid() const {
  std::shared_lock lock(mutex_);
  return Active().kid;
}

std::size_t SigningKeyRing::size() const {
  std::shared_lock lock(mutex_);
  return keys_.size();
}

}  // namespace schakel::server::auth
