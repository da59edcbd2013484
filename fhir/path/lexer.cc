#include "fhir/path/lexer.h"

namespace schakel::fhir::path {
namespace {

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }

Status ErrorAt(std::size_t position, const std::string& message) {
  return Status::InvalidInput("FHIRPath syntax error at offset " + std::to_string(position) + ": " +
                              message);
}

void AppendUtf8(std::string& out, unsigned code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads a quoted string or delimited identifier starting at text[i] == quote; i ends after the
// closing quote.
Result<std::string> ReadQuoted(std::string_view text, std::size_t& i) {
  const std::size_t start = i;
  const char quote = text[i++];
  std::string out;
  while (i < text.size()) {
    char c = text[i++];
    if (c == quote) return out;
    if (c != '\\') {
      out += c;
      continue;
    }
    if (i >= text.size()) break;
    char e = text[i++];
    switch (e) {
      case '\'':
        out += '\'';
        break;
      case '"':
        out += '"';
        break;
      case '`':
        out += '`';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        if (i + 4 > text.size()) return ErrorAt(i - 2, "incomplete \\u escape");
        unsigned code = 0;
        for (int k = 0; k < 4; ++k) {
          int h = HexValue(text[i + static_cast<std::size_t>(k)]);
          if (h < 0) return ErrorAt(i - 2, "invalid \\u escape");
          code = code * 16 + static_cast<unsigned>(h);
        }
        i += 4;
        AppendUtf8(out, code);
        break;
      }
      default:
        return ErrorAt(i - 2, std::string("invalid escape \\") + e);
    }
  }
  return ErrorAt(start, "unterminated quoted text");
}

// Date/time after '@': returns the token kind and fills the literal text.
Result<Token> ReadDateTime(std::string_view text, std::size_t& i) {
  const std::size_t start = i;
  ++i;  // '@'
  Token token;
  token.position = start;
  auto take_digits = [&](std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) {
      if (i >= text.size() || !IsDigit(text[i])) return false;
      ++i;
    }
    return true;
  };
  auto read_time = [&]() -> bool {
    // hh(:mm(:ss(.fff)?)?)?
    if (!take_digits(2)) return false;
    if (i < text.size() && text[i] == ':') {
      ++i;
      if (!take_digits(2)) return false;
      if (i < text.size() && text[i] == ':') {
        ++i;
        if (!take_digits(2)) return false;
        if (i + 1 < text.size() && text[i] == '.' && IsDigit(text[i + 1])) {
          ++i;
          while (i < text.size() && IsDigit(text[i])) ++i;
        }
      }
    }
    return true;
  };
  if (i < text.size() && text[i] == 'T') {
    ++i;
    const std::size_t body = i;
    if (!read_time()) return ErrorAt(start, "invalid time literal");
    token.kind = TokenKind::kTime;
    token.text = std::string(text.substr(body, i - body));
    return token;
  }
  const std::size_t body = i;
  if (!take_digits(4)) return ErrorAt(start, "invalid date literal");
  token.kind = TokenKind::kDate;
  if (i + 1 < text.size() && text[i] == '-' && IsDigit(text[i + 1])) {
    ++i;
    if (!take_digits(2)) return ErrorAt(start, "invalid date literal");
    if (i + 1 < text.size() && text[i] == '-' && IsDigit(text[i + 1])) {
      ++i;
      if (!take_digits(2)) return ErrorAt(start, "invalid date literal");
    }
  }
  if (i < text.size() && text[i] == 'T') {
    ++i;
    token.kind = TokenKind::kDateTime;
    if (i < text.size() && IsDigit(text[i])) {
      if (!read_time()) return ErrorAt(start, "invalid dateTime literal");
      if (i < text.size() && text[i] == 'Z') {
        ++i;
      } else if (i < text.size() && (text[i] == '+' || text[i] == '-') && i + 1 < text.size() &&
                 IsDigit(text[i + 1])) {
        ++i;
        if (!take_digits(2) || i >= text.size() || text[i] != ':') {
          return ErrorAt(start, "invalid time zone");
        }
        ++i;
        if (!take_digits(2)) return ErrorAt(start, "invalid time zone");
      }
    }
  }
  token.text = std::string(text.substr(body, i - body));
  return token;
}

}  // namespace

Result<std::vector<Token>> Tokenize(std::string_view text) {
  if (text.size() > kMaxExpressionBytes) {
    return Status::InvalidInput("FHIRPath expression longer than " +
                                std::to_string(kMaxExpressionBytes) + " bytes");
  }
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (true) {
    // Whitespace and comments.
    while (i < text.size()) {
      char c = text[i];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f') {
        ++i;
      } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
        while (i < text.size() && text[i] != '\n') ++i;
      } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
        std::size_t end = text.find("*/", i + 2);
        if (end == std::string_view::npos) return ErrorAt(i, "unterminated comment");
        i = end + 2;
      } else {
        break;
      }
    }
    Token token;
    token.position = i;
    if (i >= text.size()) {
      tokens.push_back(std::move(token));
      return tokens;
    }
    const char c = text[i];
    if (IsIdentStart(c)) {
      std::size_t start = i;
      while (i < text.size() && IsIdentChar(text[i])) ++i;
      token.kind = TokenKind::kIdentifier;
      token.text = std::string(text.substr(start, i - start));
    } else if (c == '`') {
      Result<std::string> name = ReadQuoted(text, i);
      if (!name.ok()) return name.status();
      token.kind = TokenKind::kIdentifier;
      token.text = std::move(name).value();
      token.delimited = true;
    } else if (c == '\'') {
      Result<std::string> value = ReadQuoted(text, i);
      if (!value.ok()) return value.status();
      token.kind = TokenKind::kString;
      token.text = std::move(value).value();
    } else if (IsDigit(c)) {
      std::size_t start = i;
      while (i < text.size() && IsDigit(text[i])) ++i;
      if (i + 1 < text.size() && text[i] == '.' && IsDigit(text[i + 1])) {
        ++i;
        while (i < text.size() && IsDigit(text[i])) ++i;
      }
      token.kind = TokenKind::kNumber;
      token.text = std::string(text.substr(start, i - start));
    } else if (c == '@') {
      Result<Token> dt = ReadDateTime(text, i);
      if (!dt.ok()) return dt.status();
      token = std::move(dt).value();
    } else if (c == '$') {
      std::size_t start = ++i;
      while (i < text.size() && IsIdentChar(text[i])) ++i;
      token.kind = TokenKind::kSpecial;
      token.text = std::string(text.substr(start, i - start));
      if (token.text != "this" && token.text != "index" && token.text != "total") {
        return ErrorAt(token.position, "unknown special variable $" + token.text);
      }
    } else if (c == '%') {
      ++i;
      token.kind = TokenKind::kVariable;
      if (i < text.size() && (text[i] == '`' || text[i] == '\'')) {
        Result<std::string> name = ReadQuoted(text, i);
        if (!name.ok()) return name.status();
        token.text = std::move(name).value();
      } else {
        std::size_t start = i;
        while (i < text.size() && IsIdentChar(text[i])) ++i;
        // FHIR's %vs-name and %ext-name may contain '-'; elsewhere '-' is the minus operator
        // (%count-1).
        const std::string_view head = text.substr(start, i - start);
        if ((head == "vs" || head == "ext") && i < text.size() && text[i] == '-') {
          while (i < text.size() && (IsIdentChar(text[i]) || text[i] == '-')) ++i;
        }
        token.text = std::string(text.substr(start, i - start));
      }
      if (token.text.empty()) return ErrorAt(token.position, "'%' without a variable name");
    } else {
      static constexpr std::string_view kTwo[] = {"<=", ">=", "!=", "!~"};
      token.kind = TokenKind::kOperator;
      for (std::string_view op : kTwo) {
        if (text.substr(i, 2) == op) token.text = std::string(op);
      }
      if (token.text.empty()) {
        static constexpr std::string_view kOne = ".,()[]{}+-*/&|<>=~";
        if (kOne.find(c) == std::string_view::npos) {
          return ErrorAt(i, std::string("unexpected character '") + c + "'");
        }
        token.text = std::string(1, c);
      }
      i += token.text.size();
    }
    tokens.push_back(std::move(token));
  }
}

}  // namespace schakel::fhir::path
