#include "server/auth/jwk.h"

#include <openssl/core_names.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>

#include <algorithm>
#include <cstdlib>
#include <optional>

#include "fhir/json/parse.h"
#include "fhir/json/write.h"
#include "server/auth/base64url.h"

namespace schakel::server::auth {
namespace {

using fhir::Result;
using fhir::Status;
using fhir::json::Value;

// Bounds on a public exponent: RSA needs it odd and above 1; OpenSSL itself refuses exponents
// of more than 64 bits for large moduli, so we refuse them for all.
constexpr int kMaxRsaExponentBits = 64;

std::size_t CoordinateBytes(KeyType type) { return type == KeyType::kEcP384 ? 48 : 32; }
std::string_view CurveName(KeyType type) { return type == KeyType::kEcP384 ? "P-384" : "P-256"; }
// OpenSSL's name for the curve.
const char* GroupName(KeyType type) {
  return type == KeyType::kEcP384 ? SN_secp384r1 : SN_X9_62_prime256v1;
}

// The base64url member `name` of `jwk`, decoded.
Result<std::string> DecodedMember(const Value& jwk, std::string_view kty, std::string_view name) {
  const std::string* text = jwk.FindString(name);
  if (text == nullptr) {
    return Status::InvalidInput(std::string(kty) + " key needs a string member \"" +
                                std::string(name) + "\"");
  }
  std::optional<std::string> bytes = Base64UrlDecode(*text);
  if (!bytes || bytes->empty()) {
    return Status::InvalidInput(std::string(kty) + " key member \"" + std::string(name) +
                                "\" is not non-empty base64url");
  }
  return std::move(*bytes);
}

// The optional string member `name` into `out`.
Status OptionalString(const Value& jwk, std::string_view name, std::string& out) {
  const Value* v = jwk.Find(name);
  if (v == nullptr) return Status::Ok();
  if (!v->is_string()) {
    return Status::InvalidInput("JWK member \"" + std::string(name) + "\" must be a string");
  }
  out = v->text();
  return Status::Ok();
}

// The big-endian bytes of `bn`, without leading zeros.
std::string BignumBytes(const BIGNUM* bn) {
  std::string out(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

BignumPtr BytesToBignum(std::string_view bytes) {
  return BignumPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                             static_cast<int>(bytes.size()), nullptr));
}

// Builds an EVP_PKEY of `type_name` ("EC", "RSA") holding only the public parameters `params`.
Result<EvpPkeyPtr> PublicFromParams(const char* type_name, const OSSL_PARAM* params,
                                    std::string_view what) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type_name, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, const_cast<OSSL_PARAM*>(params)) !=
          1) {
    return Status::InvalidInput(OpenSslError(what));
  }
  return EvpPkeyPtr(raw);
}

// An EC public key on `type`'s curve at (x, y).
Result<EvpPkeyPtr> EcPublicKey(KeyType type, std::string_view x, std::string_view y) {
  const std::size_t n = CoordinateBytes(type);
  if (x.size() != n || y.size() != n) {
    return Status::InvalidInput("EC " + std::string(CurveName(type)) + " key x and y must be " +
                                std::to_string(n) + " bytes each");
  }
  // SEC1 uncompressed point: 0x04 || x || y.
  std::string point;
  point.reserve(1 + 2 * n);
  point += '\x04';
  point += x;
  point += y;
  OsslParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, GroupName(type), 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return Status::Internal(OpenSslError("cannot build EC key parameters"));
  }
  OsslParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return Status::Internal(OpenSslError("cannot build EC key parameters"));
  // Import fails for a point off the curve; the check below also refuses the point at infinity
  // and points outside the prime-order subgroup.
  Result<EvpPkeyPtr> pkey = PublicFromParams("EC", params.get(), "EC point is not on the curve");
  if (!pkey.ok()) return pkey.status();
  EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey->get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    return Status::InvalidInput(OpenSslError("EC public key is not valid"));
  }
  return pkey;
}

// An RSA public key with modulus n and exponent e (big-endian bytes).
Result<EvpPkeyPtr> RsaPublicKey(std::string_view n_bytes, std::string_view e_bytes) {
  // Sizes first, so that hostile lengths never reach OpenSSL's int-sized interfaces.
  if (n_bytes.size() > kMaxRsaBits / 8) {
    return Status::InvalidInput("RSA modulus has more than " + std::to_string(kMaxRsaBits) +
                                " bits");
  }
  if (e_bytes.size() > kMaxRsaExponentBits / 8) {
    return Status::InvalidInput("RSA exponent has more than 64 bits");
  }
  BignumPtr n = BytesToBignum(n_bytes);
  BignumPtr e = BytesToBignum(e_bytes);
  if (!n || !e) return Status::Internal(OpenSslError("cannot read RSA key"));
  const int bits = BN_num_bits(n.get());
  if (bits < kMinRsaBits || bits > kMaxRsaBits) {
    return Status::InvalidInput("RSA modulus has " + std::to_string(bits) + " bits; between " +
                                std::to_string(kMinRsaBits) + " and " +
                                std::to_string(kMaxRsaBits) + " are accepted");
  }
  if (!BN_is_odd(n.get())) return Status::InvalidInput("RSA modulus must be odd");
  if (!BN_is_odd(e.get()) || BN_is_one(e.get()) || BN_num_bits(e.get()) > kMaxRsaExponentBits) {
    return Status::InvalidInput("RSA exponent must be odd, above 1 and at most 64 bits");
  }
  OsslParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return Status::Internal(OpenSslError("cannot build RSA key parameters"));
  }
  OsslParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return Status::Internal(OpenSslError("cannot build RSA key parameters"));
  return PublicFromParams("RSA", params.get(), "RSA key is not valid");
}

void StripLeadingZeros(std::string& bytes) {
  const std::size_t first = bytes.find_first_not_of('\0');
  bytes.erase(0, first == std::string::npos ? bytes.size() : first);
}

// The public components of a JWK (see PublicKey::a_ and b_), unchecked.
struct Components {
  KeyType type = KeyType::kRsa;
  std::string a;
  std::string b;
};

Result<Components> JwkComponents(const Value& jwk) {
  const std::string* kty = jwk.FindString("kty");
  if (kty == nullptr) return Status::InvalidInput("JWK needs a string member \"kty\"");
  Components out;
  std::string_view a_name;
  std::string_view b_name;
  if (*kty == "EC") {
    const std::string* crv = jwk.FindString("crv");
    if (crv == nullptr) return Status::InvalidInput("EC key needs a string member \"crv\"");
    if (*crv == "P-256") {
      out.type = KeyType::kEcP256;
    } else if (*crv == "P-384") {
      out.type = KeyType::kEcP384;
    } else {
      return Status::InvalidInput("unsupported EC curve \"" + *crv + "\"");
    }
    a_name = "x";
    b_name = "y";
  } else if (*kty == "RSA") {
    out.type = KeyType::kRsa;
    a_name = "n";
    b_name = "e";
  } else {
    return Status::InvalidInput("unsupported JWK kty \"" + *kty + "\"");
  }
  Result<std::string> a = DecodedMember(jwk, *kty, a_name);
  if (!a.ok()) return a.status();
  Result<std::string> b = DecodedMember(jwk, *kty, b_name);
  if (!b.ok()) return b.status();
  out.a = std::move(*a);
  out.b = std::move(*b);
  return out;
}

}  // namespace

Result<PublicKey> PublicKey::FromComponents(KeyType type, std::string a, std::string b) {
  if (type == KeyType::kRsa) {
    // No leading zero octets (RFC 7518 section 6.3.1.1), which the thumbprint relies on; some
    // producers add one anyway, so normalize rather than refuse.
    StripLeadingZeros(a);
    StripLeadingZeros(b);
  }
  Result<EvpPkeyPtr> pkey = type == KeyType::kRsa ? RsaPublicKey(a, b) : EcPublicKey(type, a, b);
  if (!pkey.ok()) return pkey.status();
  return PublicKey(std::move(*pkey), type, std::move(a), std::move(b));
}

Result<PublicKey> PublicKey::FromJwk(const Value& jwk) {
  if (!jwk.is_object()) return Status::InvalidInput("a JWK must be a JSON object");
  Result<Components> components = JwkComponents(jwk);
  if (!components.ok()) return components.status();
  Result<PublicKey> parsed =
      FromComponents(components->type, std::move(components->a), std::move(components->b));
  if (!parsed.ok()) return parsed.status();
  PublicKey key = std::move(parsed).value();

  SCHAKEL_RETURN_IF_ERROR(OptionalString(jwk, "kid", key.kid_));
  SCHAKEL_RETURN_IF_ERROR(OptionalString(jwk, "alg", key.alg_));
  SCHAKEL_RETURN_IF_ERROR(OptionalString(jwk, "use", key.use_));
  if (const Value* ops = jwk.Find("key_ops"); ops != nullptr) {
    if (!ops->is_array()) return Status::InvalidInput("JWK key_ops must be an array of strings");
    for (const Value& op : ops->items()) {
      if (!op.is_string()) return Status::InvalidInput("JWK key_ops must be an array of strings");
      key.key_ops_.push_back(op.text());
    }
  }
  return key;
}

Result<PublicKey> PublicKey::FromEvpPkey(const EVP_PKEY* pkey) {
  if (pkey == nullptr) return Status::InvalidInput("no key");
  if (EVP_PKEY_is_a(pkey, "EC") == 1) {
    char group[64] = {};
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       nullptr) != 1) {
      return Status::InvalidInput(OpenSslError("EC key without a named curve"));
    }
    const int nid = OBJ_sn2nid(group);
    KeyType type;
    if (nid == NID_X9_62_prime256v1) {
      type = KeyType::kEcP256;
    } else if (nid == NID_secp384r1) {
      type = KeyType::kEcP384;
    } else {
      return Status::InvalidInput("unsupported EC curve \"" + std::string(group) + "\"");
    }
    BIGNUM* x_raw = nullptr;
    BIGNUM* y_raw = nullptr;
    const int x_ok = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x_raw);
    const int y_ok = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y_raw);
    BignumPtr x(x_raw);
    BignumPtr y(y_raw);
    if (x_ok != 1 || y_ok != 1) {
      return Status::InvalidInput(OpenSslError("EC key without a public point"));
    }
    const std::size_t n = CoordinateBytes(type);
    std::string xb(n, '\0');
    std::string yb(n, '\0');
    if (BN_bn2binpad(x.get(), reinterpret_cast<unsigned char*>(xb.data()), static_cast<int>(n)) <
            0 ||
        BN_bn2binpad(y.get(), reinterpret_cast<unsigned char*>(yb.data()), static_cast<int>(n)) <
            0) {
      return Status::InvalidInput(OpenSslError("EC public point does not fit its curve"));
    }
    return FromComponents(type, std::move(xb), std::move(yb));
  }
  if (EVP_PKEY_is_a(pkey, "RSA") == 1) {
    BIGNUM* n_raw = nullptr;
    BIGNUM* e_raw = nullptr;
    const int n_ok = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n_raw);
    const int e_ok = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e_raw);
    BignumPtr n(n_raw);
    BignumPtr e(e_raw);
    if (n_ok != 1 || e_ok != 1) return Status::InvalidInput(OpenSslError("RSA key without n/e"));
    return FromComponents(KeyType::kRsa, BignumBytes(n.get()), BignumBytes(e.get()));
  }
  return Status::InvalidInput("unsupported key type (EC P-256, EC P-384 or RSA expected)");
}

std::string PublicKey::WhyNotFor(Algorithm alg) const {
  const std::string name(AlgorithmName(alg));
  if (KeyTypeFor(alg) != type_) {
    return type_ == KeyType::kRsa
               ? "an RSA key cannot verify " + name
               : "an EC " + std::string(CurveName(type_)) + " key cannot verify " + name;
  }
  if (!alg_.empty() && alg_ != name) return "the key is for alg " + alg_ + ", not " + name;
  if (!use_.empty() && use_ != "sig") return "the key's use is \"" + use_ + "\", not \"sig\"";
  if (!key_ops_.empty() &&
      std::find(key_ops_.begin(), key_ops_.end(), "verify") == key_ops_.end()) {
    return "the key's key_ops do not include \"verify\"";
  }
  return {};
}

Value PublicKey::ToJwk() const {
  Value jwk = Value::Object();
  if (type_ == KeyType::kRsa) {
    jwk.Set("kty", Value::String("RSA"));
    jwk.Set("n", Value::String(Base64UrlEncode(a_)));
    jwk.Set("e", Value::String(Base64UrlEncode(b_)));
  } else {
    jwk.Set("kty", Value::String("EC"));
    jwk.Set("crv", Value::String(std::string(CurveName(type_))));
    jwk.Set("x", Value::String(Base64UrlEncode(a_)));
    jwk.Set("y", Value::String(Base64UrlEncode(b_)));
  }
  if (!kid_.empty()) jwk.Set("kid", Value::String(kid_));
  if (!alg_.empty()) jwk.Set("alg", Value::String(alg_));
  if (!use_.empty()) jwk.Set("use", Value::String(use_));
  return jwk;
}

std::string PublicKey::Thumbprint() const {
  // RFC 7638 section 3.2: only the required members, in lexicographic order, no whitespace.
  Value canonical = Value::Object();
  if (type_ == KeyType::kRsa) {
    canonical.Set("e", Value::String(Base64UrlEncode(b_)));
    canonical.Set("kty", Value::String("RSA"));
    canonical.Set("n", Value::String(Base64UrlEncode(a_)));
  } else {
    canonical.Set("crv", Value::String(std::string(CurveName(type_))));
    canonical.Set("kty", Value::String("EC"));
    canonical.Set("x", Value::String(Base64UrlEncode(a_)));
    canonical.Set("y", Value::String(Base64UrlEncode(b_)));
  }
  const std::string json = fhir::json::Serialize(canonical);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  // SHA-256 of a few hundred bytes fails only if OpenSSL itself is broken.
  if (EVP_Digest(json.data(), json.size(), digest, &digest_size, EVP_sha256(), nullptr) != 1) {
    std::abort();
  }
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(digest),
                                          static_cast<std::size_t>(digest_size)));
}

Result<JwkSet> JwkSet::FromValue(const Value& document) {
  const Value* keys = document.is_object() ? document.Find("keys") : nullptr;
  if (keys == nullptr || !keys->is_array()) {
    return Status::InvalidInput("a JWK Set must be an object with a \"keys\" array");
  }
  if (keys->size() > kMaxKeys) {
    return Status::InvalidInput("the JWK Set has " + std::to_string(keys->size()) +
                                " keys; at most " + std::to_string(kMaxKeys) + " are accepted");
  }
  JwkSet set;
  for (std::size_t i = 0; i < keys->items().size(); ++i) {
    Result<PublicKey> key = PublicKey::FromJwk(keys->items()[i]);
    if (key.ok()) {
      set.keys_.push_back(std::move(key).value());
    } else {
      set.skipped_.push_back("key " + std::to_string(i) + ": " +
                             std::string(key.status().message()));
    }
  }
  if (set.keys_.empty()) {
    std::string message = "the JWK Set has no usable key";
    if (!set.skipped_.empty()) message += " (" + set.skipped_.front() + ")";
    return Status::InvalidInput(std::move(message));
  }
  return set;
}

Result<JwkSet> JwkSet::Parse(std::string_view text) {
  if (text.size() > kMaxDocumentBytes) {
    return Status::InvalidInput("the JWK Set document exceeds " +
                                std::to_string(kMaxDocumentBytes) + " bytes");
  }
  // A JWK Set is shallow: keys, members, and the occasional x5c array.
  fhir::json::ParseLimits limits;
  limits.max_depth = 8;
  Result<Value> document = fhir::json::Parse(text, limits);
  if (!document.ok()) return document.status();
  return FromValue(*document);
}

const PublicKey* JwkSet::Find(std::string_view kid) const {
  for (const PublicKey& key : keys_) {
    if (key.kid() == kid) return &key;
  }
  return nullptr;
}

std::vector<const PublicKey*> JwkSet::CandidatesFor(Algorithm alg) const {
  std::vector<const PublicKey*> out;
  for (const PublicKey& key : keys_) {
    if (key.CanVerify(alg)) out.push_back(&key);
  }
  return out;
}

}  // namespace schakel::server::auth
