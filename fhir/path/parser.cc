#include "fhir/path/parser.h"

#include <cerrno>
#include <cstdlib>
#include <utility>

#include "fhir/path/lexer.h"

namespace schakel::fhir::path {
namespace {

// Binary operator precedence, higher binds tighter; 0: not a binary operator.
int Precedence(const Token& t) {
  if (t.kind == TokenKind::kOperator) {
    const std::string& s = t.text;
    if (s == "*" || s == "/") return 10;
    if (s == "+" || s == "-" || s == "&") return 9;
    if (s == "|") return 7;
    if (s == "<" || s == ">" || s == "<=" || s == ">=") return 6;
    if (s == "=" || s == "~" || s == "!=" || s == "!~") return 5;
    return 0;
  }
  if (t.kind == TokenKind::kIdentifier && !t.delimited) {
    const std::string& s = t.text;
    if (s == "div" || s == "mod") return 10;
    if (s == "is" || s == "as") return 8;
    if (s == "in" || s == "contains") return 4;
    if (s == "and") return 3;
    if (s == "or" || s == "xor") return 2;
    if (s == "implies") return 1;
  }
  return 0;
}

bool IsCalendarUnit(std::string_view s) {
  static constexpr std::string_view kUnits[] = {
      "year", "years", "month",  "months",  "week",   "weeks",   "day",         "days",
      "hour", "hours", "minute", "minutes", "second", "seconds", "millisecond", "milliseconds"};
  for (std::string_view u : kUnits) {
    if (u == s) return true;
  }
  return false;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Result<std::unique_ptr<Node>> ParseAll() {
    Result<std::unique_ptr<Node>> node = ParseBinary(1);
    if (!node.ok()) return node;
    if (Peek().kind != TokenKind::kEnd) return Error(Peek(), "unexpected '" + Peek().text + "'");
    return node;
  }

 private:
  const Token& Peek(std::size_t ahead = 0) const {
    std::size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[i];
  }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool IsOp(const Token& t, std::string_view op) const {
    return t.kind == TokenKind::kOperator && t.text == op;
  }
  Status Error(const Token& at, const std::string& message) const {
    std::string where =
        at.kind == TokenKind::kEnd ? "end of expression" : "offset " + std::to_string(at.position);
    return Status::InvalidInput("FHIRPath syntax error at " + where + ": " + message);
  }
  Status Expect(std::string_view op) {
    if (!IsOp(Peek(), op)) {
      return Error(Peek(),
                   "expected '" + std::string(op) + "'" +
                       (Peek().kind == TokenKind::kEnd ? "" : " but found '" + Peek().text + "'"));
    }
    Next();
    return Status::Ok();
  }

  // Guards recursion: every nested construct passes through here.
  struct DepthGuard {
    explicit DepthGuard(int& depth) : depth_(depth) { ++depth_; }
    ~DepthGuard() { --depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
    int& depth_;
  };
  Status CheckDepth() const {
    if (depth_ > kMaxParseDepth) {
      return Error(Peek(), "expression nested deeper than " + std::to_string(kMaxParseDepth));
    }
    return Status::Ok();
  }

  static std::unique_ptr<Node> MakeNode(NodeKind kind, std::size_t position) {
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->position = position;
    return node;
  }

  Result<std::unique_ptr<Node>> ParseBinary(int min_precedence) {
    DepthGuard guard(depth_);
    SCHAKEL_RETURN_IF_ERROR(CheckDepth());
    Result<std::unique_ptr<Node>> left = ParseUnary();
    if (!left.ok()) return left;
    std::unique_ptr<Node> lhs = std::move(left).value();
    while (true) {
      const Token& op = Peek();
      int precedence = Precedence(op);
      if (precedence == 0 || precedence < min_precedence) break;
      std::string name = op.text;
      std::size_t position = op.position;
      Next();
      if (name == "is" || name == "as") {
        Result<std::string> type = ParseTypeSpecifier();
        if (!type.ok()) return type.status();
        auto node = MakeNode(NodeKind::kTypeOp, position);
        node->name = name;
        node->type_name = std::move(type).value();
        node->args.push_back(std::move(lhs));
        lhs = std::move(node);
        continue;
      }
      // implies is right-associative; everything else left-associative.
      int next_min = name == "implies" ? precedence : precedence + 1;
      Result<std::unique_ptr<Node>> right = ParseBinary(next_min);
      if (!right.ok()) return right;
      auto node = MakeNode(NodeKind::kBinary, position);
      node->name = std::move(name);
      node->args.push_back(std::move(lhs));
      node->args.push_back(std::move(right).value());
      lhs = std::move(node);
    }
    return lhs;
  }

  Result<std::string> ParseTypeSpecifier() {
    if (Peek().kind != TokenKind::kIdentifier) return Error(Peek(), "expected a type name");
    std::string name = Next().text;
    while (IsOp(Peek(), ".") && Peek(1).kind == TokenKind::kIdentifier) {
      Next();
      name += "." + Next().text;
    }
    return name;
  }

  Result<std::unique_ptr<Node>> ParseUnary() {
    if (IsOp(Peek(), "+") || IsOp(Peek(), "-")) {
      DepthGuard guard(depth_);
      SCHAKEL_RETURN_IF_ERROR(CheckDepth());
      const Token& op = Next();
      std::string name = op.text;
      std::size_t position = op.position;
      Result<std::unique_ptr<Node>> operand = ParseUnary();
      if (!operand.ok()) return operand;
      // Fold a sign into a number literal, so that -1 is an Integer literal (and -2147483648
      // fits).
      Node& n = **operand;
      if (n.kind == NodeKind::kLiteral &&
          (n.literal.kind == ItemKind::kInteger || n.literal.kind == ItemKind::kDecimal ||
           n.literal.kind == ItemKind::kQuantity)) {
        if (name == "-") {
          n.literal.integer = -n.literal.integer;
          n.literal.decimal = -n.literal.decimal;
          if (n.literal.kind == ItemKind::kDecimal) n.literal.text.insert(0, "-");
        }
        n.position = position;
        return operand;
      }
      auto node = MakeNode(NodeKind::kUnary, position);
      node->name = std::move(name);
      node->args.push_back(std::move(operand).value());
      return node;
    }
    return ParsePostfix();
  }

  Result<std::unique_ptr<Node>> ParsePostfix() {
    Result<std::unique_ptr<Node>> term = ParseTerm();
    if (!term.ok()) return term;
    std::unique_ptr<Node> node = std::move(term).value();
    while (true) {
      if (IsOp(Peek(), ".")) {
        Next();
        Result<std::unique_ptr<Node>> invocation = ParseInvocation();
        if (!invocation.ok()) return invocation;
        std::unique_ptr<Node> next = std::move(invocation).value();
        if (next->kind == NodeKind::kThis || next->kind == NodeKind::kIndex ||
            next->kind == NodeKind::kTotal) {
          return Error(Peek(), "$this, $index and $total cannot follow '.'");
        }
        next->target = std::move(node);
        node = std::move(next);
      } else if (IsOp(Peek(), "[")) {
        std::size_t position = Next().position;
        Result<std::unique_ptr<Node>> index = ParseBinary(1);
        if (!index.ok()) return index;
        SCHAKEL_RETURN_IF_ERROR(Expect("]"));
        auto indexer = MakeNode(NodeKind::kIndexer, position);
        indexer->target = std::move(node);
        indexer->args.push_back(std::move(index).value());
        node = std::move(indexer);
      } else {
        break;
      }
    }
    return node;
  }

  // identifier | identifier '(' params ')' | $this | $index | $total
  Result<std::unique_ptr<Node>> ParseInvocation() {
    const Token& t = Peek();
    if (t.kind == TokenKind::kSpecial) {
      Next();
      NodeKind kind = t.text == "this"    ? NodeKind::kThis
                      : t.text == "index" ? NodeKind::kIndex
                                          : NodeKind::kTotal;
      return MakeNode(kind, t.position);
    }
    if (t.kind != TokenKind::kIdentifier) {
      return Error(t, t.kind == TokenKind::kEnd ? "expected a name"
                                                : "expected a name, found '" + t.text + "'");
    }
    std::string name = t.text;
    std::size_t position = t.position;
    bool delimited = t.delimited;
    Next();
    if (IsOp(Peek(), "(") && !delimited) {
      Next();
      auto call = MakeNode(NodeKind::kFunction, position);
      call->name = std::move(name);
      if (!IsOp(Peek(), ")")) {
        while (true) {
          Result<std::unique_ptr<Node>> arg = ParseBinary(1);
          if (!arg.ok()) return arg;
          call->args.push_back(std::move(arg).value());
          if (IsOp(Peek(), ",")) {
            Next();
            continue;
          }
          break;
        }
      }
      SCHAKEL_RETURN_IF_ERROR(Expect(")"));
      return call;
    }
    auto member = MakeNode(NodeKind::kMember, position);
    member->name = std::move(name);
    return member;
  }

  Result<std::unique_ptr<Node>> ParseTerm() {
    const Token& t = Peek();
    std::size_t position = t.position;
    switch (t.kind) {
      case TokenKind::kEnd:
        return Error(t, "unexpected end of expression");
      case TokenKind::kString: {
        auto node = MakeNode(NodeKind::kLiteral, position);
        node->literal = Item::String(Next().text);
        return node;
      }
      case TokenKind::kNumber:
        return ParseNumber();
      case TokenKind::kDate:
      case TokenKind::kDateTime: {
        const Token& d = Next();
        std::optional<DateTimeValue> v = ParseDateTimeValue(d.text);
        if (!v.has_value()) return Error(d, "invalid date/time literal @" + d.text);
        auto node = MakeNode(NodeKind::kLiteral, position);
        node->literal = d.kind == TokenKind::kDate ? Item::Date(*v) : Item::DateTime(*v);
        return node;
      }
      case TokenKind::kTime: {
        const Token& d = Next();
        std::optional<DateTimeValue> v = ParseTimeValue(d.text);
        if (!v.has_value()) return Error(d, "invalid time literal @T" + d.text);
        auto node = MakeNode(NodeKind::kLiteral, position);
        node->literal = Item::Time(*v);
        return node;
      }
      case TokenKind::kVariable: {
        auto node = MakeNode(NodeKind::kVariable, position);
        node->name = Next().text;
        return node;
      }
      case TokenKind::kSpecial:
        return ParseInvocation();
      case TokenKind::kIdentifier: {
        if (!t.delimited && (t.text == "true" || t.text == "false") && !IsOp(Peek(1), "(")) {
          auto node = MakeNode(NodeKind::kLiteral, position);
          node->literal = Item::Boolean(Next().text == "true");
          return node;
        }
        return ParseInvocation();
      }
      case TokenKind::kOperator:
        if (t.text == "(") {
          Next();
          Result<std::unique_ptr<Node>> inner = ParseBinary(1);
          if (!inner.ok()) return inner;
          SCHAKEL_RETURN_IF_ERROR(Expect(")"));
          return inner;
        }
        if (t.text == "{") {
          Next();
          SCHAKEL_RETURN_IF_ERROR(Expect("}"));
          return MakeNode(NodeKind::kEmpty, position);
        }
        return Error(t, "unexpected '" + t.text + "'");
    }
    return Error(t, "unexpected token");
  }

  Result<std::unique_ptr<Node>> ParseNumber() {
    const Token& number = Next();
    auto node = MakeNode(NodeKind::kLiteral, number.position);
    const bool is_decimal = number.text.find('.') != std::string::npos;
    // A quantity: a number followed by a unit string or a calendar keyword.
    const Token& unit = Peek();
    if (unit.kind == TokenKind::kString ||
        (unit.kind == TokenKind::kIdentifier && !unit.delimited && IsCalendarUnit(unit.text))) {
      node->literal = Item::Quantity(std::strtold(number.text.c_str(), nullptr), unit.text);
      Next();
      return node;
    }
    if (is_decimal) {
      node->literal = Item::Decimal(std::strtold(number.text.c_str(), nullptr));
      node->literal.text = number.text;
      return node;
    }
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(number.text.c_str(), &end, 10);
    if (errno == ERANGE) {
      // Beyond Int64: keep it as a decimal rather than failing.
      node->literal = Item::Decimal(std::strtold(number.text.c_str(), nullptr));
      return node;
    }
    node->literal = Item::Integer(v);
    return node;
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

// The depth of the finished tree, walked without recursion: operator and invocation chains
// (a + b + c ..., a.b.c ...) are built by loops in the parser, yet the evaluator recurses along
// them, so the bound applies to the tree, not only to the parser's own recursion.
const Node* TooDeep(const Node& root) {
  std::vector<std::pair<const Node*, int>> stack{{&root, 1}};
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    if (depth > kMaxParseDepth) return node;
    if (node->target) stack.emplace_back(node->target.get(), depth + 1);
    for (const auto& arg : node->args) stack.emplace_back(arg.get(), depth + 1);
  }
  return nullptr;
}

}  // namespace

Result<std::unique_ptr<Node>> ParseExpression(std::string_view text) {
  Result<std::vector<Token>> tokens = Tokenize(text);
  if (!tokens.ok()) return tokens.status();
  Parser parser(std::move(tokens).value());
  Result<std::unique_ptr<Node>> tree = parser.ParseAll();
  if (!tree.ok()) return tree;
  if (const Node* deep = TooDeep(**tree)) {
    return Status::InvalidInput(
        "FHIRPath syntax error at offset " + std::to_string(deep->position) +
        ": expression nested deeper than " + std::to_string(kMaxParseDepth));
  }
  return tree;
}

}  // namespace schakel::fhir::path
