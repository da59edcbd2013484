#include "server/auth/base64url.h"

#include <gtest/gtest.h>

namespace schakel::server::auth {
namespace {

TEST(Base64Url, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
}

TEST(Base64Url, UsesTheUrlSafeAlphabet) {
  EXPECT_EQ(Base64UrlEncode(std::string("\xfb\xff\xbf", 3)), "-_-_");
  EXPECT_EQ(Base64UrlDecode("-_-_"), std::string("\xfb\xff\xbf", 3));
}

TEST(Base64Url, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    const std::string part = all.substr(0, n);
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(part)), part);
  }
}

TEST(Base64Url, RejectsWhatIsNotStrictBase64Url) {
  EXPECT_FALSE(Base64UrlDecode("Zg=="));    // padding
  EXPECT_FALSE(Base64UrlDecode("Zm9v+A"));  // '+' is base64, not base64url
  EXPECT_FALSE(Base64UrlDecode("Zm9v/A"));
  EXPECT_FALSE(Base64UrlDecode("Z"));   // a length of 1 mod 4 cannot be
  EXPECT_FALSE(Base64UrlDecode("Zh"));  // non-zero left-over bits: "Zg" is the encoding of "f"
  EXPECT_FALSE(Base64UrlDecode("Zm 9v"));
  EXPECT_FALSE(Base64UrlDecode(std::string_view("Zm\0v", 4)));
}

}  // namespace
}  // namespace schakel::server::auth
