// Shared by the FHIR XML tests: the real R4 definitions, loaded once per test suite, and a JSON
// comparison that treats objects as unordered maps (XML fixes element order, JSON does not),
// arrays as ordered, and numbers by their literal text.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include "fhir/definitions/registry.h"
#include "fhir/json/parse.h"
#include "fhir/json/value.h"
#include "fhir/json/write.h"
#include "fhir/status.h"
#include "unit/shared_definitions.h"

namespace schakel::fhir::xml {

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The first difference between `a` and `b` as "path: what", or "" when they are the same
// document. Member order does not matter; item order does; numbers compare by text.
inline std::string Difference(const json::Value& a, const json::Value& b,
                              const std::string& path = "$") {
  if (a.kind() != b.kind()) {
    return path + ": " + json::Serialize(a).substr(0, 80) + " vs " +
           json::Serialize(b).substr(0, 80);
  }
  switch (a.kind()) {
    case json::Kind::kNull:
      return {};
    case json::Kind::kBool:
      return a.bool_value() == b.bool_value() ? std::string() : path + ": boolean differs";
    case json::Kind::kNumber:
    case json::Kind::kString:
      if (a.text() == b.text()) return {};
      return path + ": '" + a.text().substr(0, 120) + "' vs '" + b.text().substr(0, 120) + "'";
    case json::Kind::kArray:
      if (a.items().size() != b.items().size()) {
        return path + ": " + std::to_string(a.items().size()) + " vs " +
               std::to_string(b.items().size()) + " items";
      }
      for (std::size_t i = 0; i < a.items().size(); ++i) {
        std::string d =
            Difference(a.items()[i], b.items()[i], path + "[" + std::to_string(i) + "]");
        if (!d.empty()) return d;
      }
      return {};
    case json::Kind::kObject:
      for (const json::Member& m : a.members()) {
        const json::Value* other = b.Find(m.name);
        if (other == nullptr) return path + "." + m.name + ": missing on the right";
        std::string d = Difference(m.value, *other, path + "." + m.name);
        if (!d.empty()) return d;
      }
      for (const json::Member& m : b.members()) {
        if (a.Find(m.name) == nullptr) return path + "." + m.name + ": missing on the left";
      }
      return {};
  }
  return {};
}

class XmlTest : public testing::Test {
 protected:
  static const definitions::Registry& registry() { return *::schakel::test::SharedRegistry(); }

  static json::Value Json(std::string_view text) {
    Result<json::Value> parsed = json::Parse(text);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << text;
    return parsed.ok() ? std::move(parsed).value() : json::Value();
  }
};

}  // namespace schakel::fhir::xml
