#include <gtest/gtest.h>

#include "fhir/json/parse.h"
#include "fhir/json/write.h"

namespace schakel::fhir::json {
namespace {

TEST(JsonTest, KeepsDecimalPrecision) {
  auto v = Parse(R"({"a":1.50,"b":[0.010,-0,1e3,12345678901234567890.123]})");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(Serialize(*v), R"({"a":1.50,"b":[0.010,-0,1e3,12345678901234567890.123]})");
}

}  // namespace
}  // namespace schakel::fhir::json
