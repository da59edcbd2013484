#include "server/auth/jws.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>
#include <optional>

#include "fhir/json/parse.h"
#include "fhir/json/write.h"
#include "server/auth/base64url.h"

namespace schakel::server::auth {
namespace {

using fhir::Result;
using fhir::Status;
using fhir::json::Value;

// JOSE headers and JWT claims are flat; deep nesting in a token is an attack, not data.
constexpr std::size_t kMaxJsonDepth = 16;
// An 8192-bit RSA key in PKCS#8 PEM is under 7 KiB.
constexpr std::size_t kMaxPemBytes = 64 * std::size_t{1024};

const EVP_MD* Digest(Algorithm alg) {
  switch (alg) {
    case Algorithm::kEs256:
    case Algorithm::kRs256:
      return EVP_sha256();
    case Algorithm::kEs384:
    case Algorithm::kRs384:
      return EVP_sha384();
  }
  return nullptr;
}

// The length of r and of s in a JOSE ECDSA signature, or 0 for RSA.
std::size_t EcdsaHalfBytes(Algorithm alg) {
  switch (alg) {
    case Algorithm::kEs256:
      return 32;
    case Algorithm::kEs384:
      return 48;
    case Algorithm::kRs256:
    case Algorithm::kRs384:
      return 0;
  }
  return 0;
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// DER ECDSA-Sig-Value -> fixed-length r || s (RFC 7518 section 3.4).
Result<std::string> DerToRaw(std::string_view der, std::size_t half) {
  const unsigned char* p = Bytes(der);
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return Status::Internal(OpenSslError("cannot decode ECDSA signature"));
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string raw(2 * half, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(r, out, static_cast<int>(half)) < 0 ||
      BN_bn2binpad(s, out + half, static_cast<int>(half)) < 0) {
    return Status::Internal(OpenSslError("ECDSA signature does not fit its curve"));
  }
  return raw;
}

// Fixed-length r || s -> DER ECDSA-Sig-Value, for OpenSSL's verifier.
Result<std::string> RawToDer(std::string_view raw) {
  const std::size_t half = raw.size() / 2;
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BignumPtr r(BN_bin2bn(Bytes(raw), static_cast<int>(half), nullptr));
  BignumPtr s(BN_bin2bn(Bytes(raw) + half, static_cast<int>(half), nullptr));
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return Status::Internal(OpenSslError("cannot build ECDSA signature"));
  }
  // ECDSA_SIG_set0 took ownership of r and s.
  static_cast<void>(r.release());
  static_cast<void>(s.release());
  const int size = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (size <= 0) return Status::Internal(OpenSslError("cannot encode ECDSA signature"));
  std::string der(static_cast<std::size_t>(size), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != size) {
    return Status::Internal(OpenSslError("cannot encode ECDSA signature"));
  }
  return der;
}

// Decodes one base64url part of a token and parses it as a JSON object.
Result<Value> DecodeObject(std::string_view part, std::string_view what) {
  std::optional<std::string> json = Base64UrlDecode(part);
  if (!json) return Status::Unauthorized("JWS " + std::string(what) + " is not base64url");
  fhir::json::ParseLimits limits;
  limits.max_depth = kMaxJsonDepth;
  Result<Value> value = fhir::json::Parse(*json, limits);
  if (!value.ok()) {
    return Status::Unauthorized("JWS " + std::string(what) +
                                " is not JSON: " + std::string(value.status().message()));
  }
  if (!value->is_object()) {
    return Status::Unauthorized("JWS " + std::string(what) + " is not a JSON object");
  }
  return value;
}

}  // namespace

Result<PrivateKey> PrivateKey::Adopt(EvpPkeyPtr pkey) {
  // Deriving the public key runs every check (curve, RSA size) on the key.
  Result<PublicKey> public_key = PublicKey::FromEvpPkey(pkey.get());
  if (!public_key.ok()) return public_key.status();
  return PrivateKey(std::move(pkey), public_key->type());
}

Result<PrivateKey> PrivateKey::Generate(KeyType type) {
  EVP_PKEY* raw = nullptr;
  switch (type) {
    case KeyType::kEcP256:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case KeyType::kEcP384:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
      break;
    case KeyType::kRsa:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(kGeneratedRsaBits));
      break;
  }
  EvpPkeyPtr pkey(raw);
  if (!pkey) return Status::Internal(OpenSslError("key generation failed"));
  return Adopt(std::move(pkey));
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  if (pem.size() > kMaxPemBytes) return Status::InvalidInput("PEM private key is too large");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Status::Internal(OpenSslError("cannot read PEM"));
  // A password callback that supplies none: encrypted keys fail instead of prompting on the
  // terminal, which OpenSSL's default callback would do.
  pem_password_cb* no_password = [](char*, int, int, void*) { return -1; };
  EvpPkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr));
  if (!pkey) return Status::InvalidInput(OpenSslError("not an unencrypted PEM private key"));
  return Adopt(std::move(pkey));
}

Result<std::string> PrivateKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr,
                                            nullptr) != 1) {
    return Status::Internal(OpenSslError("cannot write PEM"));
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  if (size <= 0 || data == nullptr) return Status::Internal("cannot write PEM");
  return std::string(data, static_cast<std::size_t>(size));
}

Result<PublicKey> PrivateKey::GetPublicKey() const { return PublicKey::FromEvpPkey(pkey_.get()); }

Result<std::string> Sign(Algorithm alg, const PrivateKey& key, Value header, const Value& payload) {
  if (KeyTypeFor(alg) != key.type()) {
    return Status::InvalidInput("the signing key does not fit alg " +
                                std::string(AlgorithmName(alg)));
  }
  if (!header.is_object() || !payload.is_object()) {
    return Status::InvalidInput("JWS header and payload must be JSON objects");
  }
  header.Set("alg", Value::String(std::string(AlgorithmName(alg))));
  std::string token = Base64UrlEncode(fhir::json::Serialize(header));
  token += '.';
  token += Base64UrlEncode(fhir::json::Serialize(payload));

  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t size = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, Digest(alg), nullptr, key.pkey()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, Bytes(token), token.size()) != 1) {
    return Status::Internal(OpenSslError("signing failed"));
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     Bytes(token), token.size()) != 1) {
    return Status::Internal(OpenSslError("signing failed"));
  }
  signature.resize(size);
  if (const std::size_t half = EcdsaHalfBytes(alg); half != 0) {
    Result<std::string> raw = DerToRaw(signature, half);
    if (!raw.ok()) return raw.status();
    signature = std::move(*raw);
  }
  token += '.';
  token += Base64UrlEncode(signature);
  return token;
}

Result<ParsedJws> ParseCompact(std::string_view token, std::size_t max_bytes) {
  if (token.empty()) return Status::Unauthorized("empty token");
  if (token.size() > max_bytes) {
    return Status::Unauthorized("token exceeds " + std::to_string(max_bytes) + " bytes");
  }
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Status::Unauthorized("a compact JWS has exactly three parts separated by '.'");
  }
  Result<Value> header = DecodeObject(token.substr(0, dot1), "header");
  if (!header.ok()) return header.status();

  const Value* alg_value = header->Find("alg");
  if (alg_value == nullptr || !alg_value->is_string()) {
    return Status::Unauthorized("JWS header needs a string \"alg\"");
  }
  const std::string& alg_name = alg_value->text();
  if (alg_name == "none") {
    return Status::Unauthorized("alg \"none\" (an unsigned token) is not accepted");
  }
  std::optional<Algorithm> alg = AlgorithmFromName(alg_name);
  if (!alg) return Status::Unauthorized("unsupported JWS alg \"" + alg_name + "\"");
  if (header->Find("crit") != nullptr) {
    return Status::Unauthorized("JWS header \"crit\" names extensions we do not understand");
  }
  if (const Value* kid = header->Find("kid"); kid != nullptr && !kid->is_string()) {
    return Status::Unauthorized("JWS header \"kid\" must be a string");
  }

  Result<Value> payload = DecodeObject(token.substr(dot1 + 1, dot2 - dot1 - 1), "payload");
  if (!payload.ok()) return payload.status();
  std::optional<std::string> signature = Base64UrlDecode(token.substr(dot2 + 1));
  if (!signature || signature->empty()) {
    return Status::Unauthorized("JWS signature is not non-empty base64url");
  }

  ParsedJws jws;
  jws.alg = *alg;
  jws.header = std::move(*header);
  jws.payload = std::move(*payload);
  jws.signing_input = std::string(token.substr(0, dot2));
  jws.signature = std::move(*signature);
  return jws;
}

Status Verify(const ParsedJws& jws, const PublicKey& key, std::span<const Algorithm> allowed) {
  const std::string alg_name(AlgorithmName(jws.alg));
  if (std::find(allowed.begin(), allowed.end(), jws.alg) == allowed.end()) {
    return Status::Unauthorized("JWS alg " + alg_name + " is not allowed here");
  }
  if (std::string why = key.WhyNotFor(jws.alg); !why.empty()) {
    return Status::Unauthorized("JWS key mismatch: " + why);
  }

  std::string der;
  std::string_view signature = jws.signature;
  if (const std::size_t half = EcdsaHalfBytes(jws.alg); half != 0) {
    if (signature.size() != 2 * half) {
      return Status::Unauthorized(alg_name + " signature must be " + std::to_string(2 * half) +
                                  " bytes, not " + std::to_string(signature.size()));
    }
    Result<std::string> converted = RawToDer(signature);
    if (!converted.ok()) return converted.status();
    der = std::move(*converted);
    signature = der;
  } else if (signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(key.pkey()))) {
    return Status::Unauthorized(alg_name + " signature length does not match the key");
  }

  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, Digest(jws.alg), nullptr, key.pkey()) != 1) {
    return Status::Internal(OpenSslError("cannot start verification"));
  }
  const int verified = EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(),
                                        Bytes(jws.signing_input), jws.signing_input.size());
  if (verified != 1) {
    // The queue says only why a forged signature is invalid; don't let it linger on the thread.
    ERR_clear_error();
    return Status::Unauthorized("JWS signature is invalid");
  }
  return Status::Ok();
}

}  // namespace schakel::server::auth
