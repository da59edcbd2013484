#include "fhir/path/parser.h"

#include <gtest/gtest.h>

#include <string>

#include "fhir/path/lexer.h"

namespace schakel::fhir::path {
namespace {

// A compact rendering of the tree: (op a b), name(args), target.member.
std::string Show(const Node& n) {
  std::string target = n.target ? Show(*n.target) + "." : "";
  switch (n.kind) {
    case NodeKind::kLiteral: {
      const Item& v = n.literal;
      switch (v.kind) {
        case ItemKind::kString:
          return "'" + v.text + "'";
        case ItemKind::kBoolean:
          return v.boolean ? "true" : "false";
        case ItemKind::kInteger:
          return std::to_string(v.integer);
        case ItemKind::kDecimal:
          return "D" + v.text;
        case ItemKind::kQuantity:
          return "Q" + FormatDecimal(v.decimal) + "[" + v.text + "]";
        case ItemKind::kDate:
          return "@" + FormatDateTimeValue(v.date_time, true, false);
        case ItemKind::kDateTime:
          return "@" + FormatDateTimeValue(v.date_time, true, true);
        case ItemKind::kTime:
          return "@T" + FormatDateTimeValue(v.date_time, false, true);
        case ItemKind::kNode:
        case ItemKind::kTypeInfo:
          return "?";
      }
      return "?";
    }
    case NodeKind::kEmpty:
      return "{}";
    case NodeKind::kMember:
      return target + n.name;
    case NodeKind::kFunction: {
      std::string out = target + n.name + "(";
      for (std::size_t i = 0; i < n.args.size(); ++i) {
        if (i > 0) out += ",";
        out += Show(*n.args[i]);
      }
      return out + ")";
    }
    case NodeKind::kIndexer:
      return target + "[" + Show(*n.args[0]) + "]";
    case NodeKind::kUnary:
      return "(" + n.name + Show(*n.args[0]) + ")";
    case NodeKind::kBinary:
      return "(" + n.name + " " + Show(*n.args[0]) + " " + Show(*n.args[1]) + ")";
    case NodeKind::kTypeOp:
      return "(" + n.name + " " + Show(*n.args[0]) + " " + n.type_name + ")";
    case NodeKind::kThis:
      return "$this";
    case NodeKind::kIndex:
      return "$index";
    case NodeKind::kTotal:
      return "$total";
    case NodeKind::kVariable:
      return "%" + n.name;
  }
  return "?";
}

TEST(FhirPathParserTest, ParsesTheGrammar) {
  struct Case {
    const char* text;
    const char* tree;
  } cases[] = {
      {"Patient.name.given", "Patient.name.given"},
      {"name[0].given.first()", "name.[0].given.first()"},
      {"'a\\'b\\u0041\\n'", "'a'bA\n'"},
      {"`div`.x", "div.x"},
      {"1 + 2 * 3", "(+ 1 (* 2 3))"},
      {"(1 + 2) * 3", "(* (+ 1 2) 3)"},
      {"1 - 2 - 3", "(- (- 1 2) 3)"},
      {"a implies b implies c", "(implies a (implies b c))"},
      {"a or b and c", "(or a (and b c))"},
      {"a = b and c != d", "(and (= a b) (!= c d))"},
      {"a | b = c", "(= (| a b) c)"},
      {"a < b = true", "(= (< a b) true)"},
      {"x in y and y contains x", "(and (in x y) (contains y x))"},
      {"a & b + c", "(+ (& a b) c)"},
      {"7 div 2 mod 3", "(mod (div 7 2) 3)"},
      {"a xor b ~ c", "(xor a (~ b c))"},
      {"a !~ b", "(!~ a b)"},
      {"value is Quantity", "(is value Quantity)"},
      {"value as FHIR.Quantity + 1", "(+ (as value FHIR.Quantity) 1)"},
      {"-1", "-1"},
      {"-x.y", "(-x.y)"},
      {"+2.50", "D2.50"},
      {"5 'mg'", "Q5[mg]"},
      {"4 days", "Q4[days]"},
      {"1.5 year", "Q1.5[year]"},
      {"@2020-01-02", "@2020-01-02"},
      {"@2020-01-02T10:30:00.123+01:00", "@2020-01-02T10:30:00.123+01:00"},
      {"@2020T", "@2020T"},
      {"@T12:00", "@T12:00"},
      {"{}", "{}"},
      {"true and false", "(and true false)"},
      {"$this.where($index > 0 and $total.exists())",
       "$this.where((and (> $index 0) $total.exists()))"},
      {"%resource.id = %`ext-x`", "(= %resource.id %ext-x)"},
      {"%'vs-y'", "%vs-y"},
      {"%vs-administrative-gender", "%vs-administrative-gender"},
      {"%count-1", "(- %count 1)"},
      {"iif(a, b, c)", "iif(a,b,c)"},
      {"x.contains('a')", "x.contains('a')"},
      {"2 + 2 // comment\n", "(+ 2 2)"},
      {"2 /* c */ + 2", "(+ 2 2)"},
      {"9223372036854775807", "9223372036854775807"},
  };
  for (const Case& c : cases) {
    Result<std::unique_ptr<Node>> tree = ParseExpression(c.text);
    ASSERT_TRUE(tree.ok()) << c.text << ": " << tree.status().ToString();
    EXPECT_EQ(Show(**tree), c.tree) << c.text;
  }
}

TEST(FhirPathParserTest, ReportsErrorsWithTheirPosition) {
  struct Case {
    const char* text;
    const char* message;  // a substring of the error
  } cases[] = {
      {"", "end of expression"},
      {"1 +", "end of expression"},
      {"name.", "end of expression"},
      {"a b", "offset 2: unexpected 'b'"},
      {"(1 + 2", "expected ')'"},
      {"f(1,", "end of expression"},
      {"'abc", "offset 0: unterminated"},
      {"'\\q'", "offset 1: invalid escape"},
      {"1 # 2", "offset 2: unexpected character '#'"},
      {"$that", "offset 0: unknown special variable"},
      {"@20", "offset 0: invalid date"},
      {"@2020-13-01", "offset 0: invalid date/time literal"},
      {"2 + 2 /* open", "offset 6: unterminated comment"},
      {"a.$this", "cannot follow"},
      {"x is", "expected a type name"},
      {"[1]", "offset 0: unexpected '['"},
  };
  for (const Case& c : cases) {
    Result<std::unique_ptr<Node>> tree = ParseExpression(c.text);
    ASSERT_FALSE(tree.ok()) << c.text;
    EXPECT_EQ(tree.status().code(), Code::kInvalidInput);
    EXPECT_NE(tree.status().message().find(c.message), std::string_view::npos)
        << c.text << " -> " << tree.status().message();
  }
}

TEST(FhirPathParserTest, BoundsNestingDepth) {
  const std::string ok = std::string(100, '(') + "1" + std::string(100, ')');
  EXPECT_TRUE(ParseExpression(ok).ok());
  const std::string parens =
      std::string(kMaxParseDepth + 10, '(') + "1" + std::string(kMaxParseDepth + 10, ')');
  Result<std::unique_ptr<Node>> deep = ParseExpression(parens);
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.status().message().find("nested deeper"), std::string_view::npos);

  // Chains built by loops (a + a + ... and a.b.c...) are bounded too, and a huge one is torn
  // down without recursion.
  std::string sum = "1";
  for (int i = 0; i < 20'000; ++i) sum += "+1";
  Result<std::unique_ptr<Node>> chain = ParseExpression(sum);
  ASSERT_FALSE(chain.ok());
  EXPECT_NE(chain.status().message().find("nested deeper"), std::string_view::npos);
  std::string path = "a";
  for (int i = 0; i < 20'000; ++i) path += ".b";
  EXPECT_FALSE(ParseExpression(path).ok());
  std::string unary(30'000, '-');
  EXPECT_FALSE(ParseExpression(unary + "x").ok());
}

TEST(FhirPathParserTest, BoundsExpressionLength) {
  std::string text = "'" + std::string(kMaxExpressionBytes, 'a') + "'";
  Result<std::unique_ptr<Node>> tree = ParseExpression(text);
  ASSERT_FALSE(tree.ok());
  EXPECT_NE(tree.status().message().find("longer than"), std::string_view::npos);
}

TEST(FhirPathLexerTest, RecordsTokenPositions) {
  Result<std::vector<Token>> tokens = Tokenize("a.b  <= %x");
  ASSERT_TRUE(tokens.ok());
  ASSERT_EQ(tokens->size(), 6u);
  EXPECT_EQ((*tokens)[3].text, "<=");
  EXPECT_EQ((*tokens)[3].position, 5u);
  EXPECT_EQ((*tokens)[4].kind, TokenKind::kVariable);
  EXPECT_EQ((*tokens)[4].position, 8u);
  EXPECT_EQ((*tokens)[5].kind, TokenKind::kEnd);
}

}  // namespace
}  // namespace schakel::fhir::path
