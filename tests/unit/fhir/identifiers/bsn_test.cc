#include "fhir/identifiers/bsn.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace schakel::fhir::identifiers {
namespace {

TEST(Bsn, AcceptsNumbersThatPassTheElevenTest) {
  // Fictitious numbers, each checked by hand: e.g. 111222333 gives
  // 9+8+7 + 2·(6+5+4) + 3·(3+2) − 3 = 66 = 6·11.
  for (std::string_view bsn : {"999999990", "111222333", "123456782", "999990019", "999990044",
                               "999911120", "012345672", "100000009", "000000012"}) {
    EXPECT_TRUE(IsValidBsn(bsn)) << bsn;
  }
}

TEST(Bsn, RejectsNumbersThatFailTheElevenTest) {
  for (std::string_view bsn :
       {"123456789", "999999991", "111222334", "999999909", "111111119", "000000009",
        // passes the bank-account test, where the last digit counts +1
        "000000019"}) {
    EXPECT_FALSE(IsValidBsn(bsn)) << bsn;
  }
}

TEST(Bsn, RejectsEverySingleDigitChange) {
  const std::string valid = "111222333";
  for (std::size_t i = 0; i < valid.size(); ++i) {
    for (char d = '0'; d <= '9'; ++d) {
      if (d == valid[i]) continue;
      std::string changed = valid;
      changed[i] = d;
      EXPECT_FALSE(IsValidBsn(changed)) << changed;
    }
  }
}

TEST(Bsn, RejectsAllZeros) { EXPECT_FALSE(IsValidBsn("000000000")); }

TEST(Bsn, RejectsWrongLengthsAndNonDigits) {
  for (std::string_view bsn : {"", "99999999", "9999999990", "11122233", "1112223330", "11122233a",
                               "111 222 333", "111.222.333", " 111222333", "111222333 ",
                               "+11222333", "-11222333", "１１１２２２３３３"}) {
    EXPECT_FALSE(IsValidBsn(bsn)) << bsn;
  }
  EXPECT_FALSE(IsValidBsn(std::string_view("11122233\0", 9)));
}

TEST(Bsn, NamingSystem) { EXPECT_EQ(kBsnSystem, "http://fhir.nl/fhir/NamingSystem/bsn"); }

}  // namespace
}  // namespace schakel::fhir::identifiers
