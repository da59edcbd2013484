// String functions: http://hl7.org/fhirpath/N1/#string-manipulation
//
// Positions and lengths count bytes, which equals characters for ASCII text (UTF-8 aware
// counting is still to do). Regular expressions use std::regex (ECMAScript) until we adopt a
// linear-time engine: since its matcher recurses, subject and pattern sizes are bounded.
#include <algorithm>
#include <cctype>
#include <regex>

#include "fhir/path/evaluator.h"

namespace schakel::fhir::path {
namespace {

constexpr std::size_t kMaxRegexPattern = 1024;
constexpr std::size_t kMaxRegexSubject = 4096;

// The input as a string: nullopt when empty; an error for non-strings or several items.
Result<std::optional<std::string>> InputString(Evaluator& ev, const Collection& in,
                                               const Node& call) {
  Result<std::optional<Item>> v = Singleton(in, call, ev.registry());
  if (!v.ok()) return v.status();
  if (!v->has_value()) return std::optional<std::string>();
  if ((*v)->kind != ItemKind::kString) {
    return EvalError(call, call.name + "() needs a String, not " + TypeName(**v));
  }
  return std::optional<std::string>((*v)->text);
}

Result<std::optional<std::string>> ArgString(Evaluator& ev, const Node& call, std::size_t i,
                                             const Frame& frame) {
  Result<std::optional<Item>> v = SingletonArg(ev, call, i, frame);
  if (!v.ok()) return v.status();
  if (!v->has_value()) return std::optional<std::string>();
  if ((*v)->kind != ItemKind::kString) {
    return EvalError(call, call.name + "() needs String arguments");
  }
  return std::optional<std::string>((*v)->text);
}

Result<std::optional<std::int64_t>> ArgInteger(Evaluator& ev, const Node& call, std::size_t i,
                                               const Frame& frame) {
  Result<std::optional<Item>> v = SingletonArg(ev, call, i, frame);
  if (!v.ok()) return v.status();
  if (!v->has_value()) return std::optional<std::int64_t>();
  if ((*v)->kind != ItemKind::kInteger) {
    return EvalError(call, call.name + "() needs Integer arguments");
  }
  return std::optional<std::int64_t>((*v)->integer);
}

// Evaluates the input and all string arguments; `done` is set when the result is empty.
struct StringArgs {
  std::string input;
  std::vector<std::string> args;
  bool empty = false;
};
Result<StringArgs> Gather(Evaluator& ev, const Collection& in, const Node& call,
                          const Frame& frame) {
  StringArgs out;
  Result<std::optional<std::string>> s = InputString(ev, in, call);
  if (!s.ok()) return s.status();
  if (!s->has_value()) out.empty = true;
  out.input = s->value_or("");
  for (std::size_t i = 0; i < call.args.size(); ++i) {
    Result<std::optional<std::string>> a = ArgString(ev, call, i, frame);
    if (!a.ok()) return a.status();
    if (!a->has_value()) out.empty = true;
    out.args.push_back(a->value_or(""));
  }
  return out;
}

Collection Str(std::string s) { return Collection{Item::String(std::move(s))}; }
Collection Bool(bool b) { return Collection{Item::Boolean(b)}; }

Result<Collection> IndexOf(Evaluator& ev, const Collection& in, const Node& call,
                           const Frame& frame) {
  Result<StringArgs> a = Gather(ev, in, call, frame);
  if (!a.ok()) return a.status();
  if (a->empty) return Collection{};
  std::size_t pos = a->input.find(a->args[0]);
  return Collection{Item::Integer(pos == std::string::npos ? -1 : static_cast<std::int64_t>(pos))};
}

Result<Collection> Substring(Evaluator& ev, const Collection& in, const Node& call,
                             const Frame& frame) {
  Result<std::optional<std::string>> s = InputString(ev, in, call);
  if (!s.ok()) return s.status();
  Result<std::optional<std::int64_t>> start = ArgInteger(ev, call, 0, frame);
  if (!start.ok()) return start.status();
  if (!s->has_value() || !start->has_value()) return Collection{};
  const std::string& text = **s;
  std::int64_t from = **start;
  if (from < 0 || static_cast<std::size_t>(from) >= text.size()) return Collection{};
  std::size_t length = std::string::npos;
  if (call.args.size() > 1) {
    Result<std::optional<std::int64_t>> n = ArgInteger(ev, call, 1, frame);
    if (!n.ok()) return n.status();
    if (n->has_value()) length = **n < 0 ? 0 : static_cast<std::size_t>(**n);
  }
  return Str(text.substr(static_cast<std::size_t>(from), length));
}

Result<Collection> StartsWith(Evaluator& ev, const Collection& in, const Node& call,
                              const Frame& frame) {
  Result<StringArgs> a = Gather(ev, in, call, frame);
  if (!a.ok()) return a.status();
  if (a->empty) return Collection{};
  return Bool(a->input.starts_with(a->args[0]));
}

Result<Collection> EndsWith(Evaluator& ev, const Collection& in, const Node& call,
                            const Frame& frame) {
  Result<StringArgs> a = Gather(ev, in, call, frame);
  if (!a.ok()) return a.status();
  if (a->empty) return Collection{};
  return Bool(a->input.ends_with(a->args[0]));
}

Result<Collection> Contains(Evaluator& ev, const Collection& in, const Node& call,
                            const Frame& frame) {
  Result<StringArgs> a = Gather(ev, in, call, frame);
  if (!a.ok()) return a.status();
  if (a->empty) return Collection{};
  return Bool(a->input.find(a->args[0]) != std::string::npos);
}

Result<Collection> Upper(Evaluator& ev, const Collection& in, const Node& call, const Frame&) {
  Result<std::optional<std::string>> s = InputString(ev, in, call);
  if (!s.ok()) return s.status();
  if (!s->has_value()) return Collection{};
  std::string out = **s;
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return Str(std::move(out));
}

Result<Collection> Lower(Evaluator& ev, const Collection& in, const Node& call, const Frame&) {
  Result<std::optional<std::string>> s = InputString(ev, in, call);
  if (!s.ok()) return s.status();
  if (!s->has_value()) return Collection{};
  std::string out = **s;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return Str(std::move(out));
}

Result<Collection> Replace(Evaluator& ev, const Collection& in, const Node& call,
                           const Frame& frame) {
  Result<StringArgs> a = Gather(ev, in, call, frame);
  if (!a.ok()) return a.status();
  if (a->empty) return Collection{};
  const std::string& pattern = a->args[0];
  const std::string& substitution = a->args[1];
  std::string out;
  if (pattern.empty()) {
    // Between every character, and at both ends.
    out = substitution;
    for (char c : a->input) {
      out += c;
      out += substitution;
    }
  } else {
    std::size_t pos = 0;
    while (true) {
      std::size_t hit = a->input.find(pattern, pos);
      if (hit == std::string::npos) break;
      out.append(a->input, pos, hit - pos);
      out += substitution;
      pos = hit + pattern.size();
    }
    out.append(a->input, pos, std::string::npos);
  }
  SCHAKEL_RETURN_IF_ERROR(ev.CheckSize(out.size() / 64));
  return Str(std::move(out));
}

Result<std::regex> Compile(const Node& call, const StringArgs& a) {
  if (a.args[0].size() > kMaxRegexPattern || a.input.size() > kMaxRegexSubject) {
    return EvalError(call, call.name + "(): pattern or text too long for the regex engine");
  }
  // FHIRPath regexes run in single-line mode: '.' matches newlines too.
  std::string pattern;
  bool in_class = false;
  for (std::size_t i = 0; i < a.args[0].size(); ++i) {
    char c = a.args[0][i];
    if (c == '\\' && i + 1 < a.args[0].size()) {
      pattern += c;
      pattern += a.args[0][++i];
      continue;
    }
    if (c == '[') in_class = true;
    if (c == ']') in_class = false;
    pattern += (c == '.' && !in_class) ? std::string("[\\s\\S]") : std::string(1, c);
  }
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return EvalError(call, call.name + "(): invalid regular expression: " + e.what());
  }
}

Result<Collection> Matches(Evaluator& ev, const Collection& in, const Node& call,
                           const Frame& frame) {
  Result<StringArgs> a = Gather(ev, in, call, frame);
  if (!a.ok()) return a.status();
  if (a->empty) return Collection{};
  Result<std::regex> re = Compile(call, *a);
  if (!re.ok()) return re.status();
  try {
    if (call.name == "matchesFull") return Bool(std::regex_match(a->input, *re));
    return Bool(std::regex_search(a->input, *re));
  } catch (const std::regex_error& e) {
    return EvalError(call, call.name + "(): " + e.what());
  }
}

Result<Collection> ReplaceMatches(Evaluator& ev, const Collection& in, const Node& call,
                                  const Frame& frame) {
  Result<StringArgs> a = Gather(ev, in, call, frame);
  if (!a.ok()) return a.status();
  if (a->empty) return Collection{};
  if (a->args[0].empty()) return Str(a->input);
  Result<std::regex> re = Compile(call, *a);
  if (!re.ok()) return re.status();
  try {
    return Str(std::regex_replace(a->input, *re, a->args[1]));
  } catch (const std::regex_error& e) {
    return EvalError(call, call.name + "(): " + e.what());
  }
}

Result<Collection> Length(Evaluator& ev, const Collection& in, const Node& call, const Frame&) {
  Result<std::optional<std::string>> s = InputString(ev, in, call);
  if (!s.ok()) return s.status();
  if (!s->has_value()) return Collection{};
  return Collection{Item::Integer(static_cast<std::int64_t>((*s)->size()))};
}

Result<Collection> ToChars(Evaluator& ev, const Collection& in, const Node& call, const Frame&) {
  Result<std::optional<std::string>> s = InputString(ev, in, call);
  if (!s.ok()) return s.status();
  if (!s->has_value()) return Collection{};
  Collection out;
  for (char c : **s) out.push_back(Item::String(std::string(1, c)));
  return out;
}

Result<Collection> Trim(Evaluator& ev, const Collection& in, const Node& call, const Frame&) {
  Result<std::optional<std::string>> s = InputString(ev, in, call);
  if (!s.ok()) return s.status();
  if (!s->has_value()) return Collection{};
  const std::string& t = **s;
  std::size_t b = t.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return Str("");
  std::size_t e = t.find_last_not_of(" \t\r\n");
  return Str(t.substr(b, e - b + 1));
}

Result<Collection> Split(Evaluator& ev, const Collection& in, const Node& call,
                         const Frame& frame) {
  Result<StringArgs> a = Gather(ev, in, call, frame);
  if (!a.ok()) return a.status();
  if (a->empty) return Collection{};
  const std::string& sep = a->args[0];
  Collection out;
  if (sep.empty()) return Str(a->input);
  std::size_t pos = 0;
  while (true) {
    std::size_t hit = a->input.find(sep, pos);
    out.push_back(Item::String(a->input.substr(pos, hit - pos)));
    if (hit == std::string::npos) break;
    pos = hit + sep.size();
  }
  return out;
}

Result<Collection> Join(Evaluator& ev, const Collection& in, const Node& call, const Frame& frame) {
  std::string sep;
  if (!call.args.empty()) {
    Result<std::optional<std::string>> s = ArgString(ev, call, 0, frame);
    if (!s.ok()) return s.status();
    sep = s->value_or("");
  }
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    std::optional<Item> v = ToSystem(in[i], ev.registry());
    if (!v.has_value() || v->kind != ItemKind::kString) {
      return EvalError(call, "join() needs String items");
    }
    if (i > 0) out += sep;
    out += v->text;
  }
  return Str(std::move(out));
}

constexpr FunctionSpec kFunctions[] = {
    {"indexOf", 1, 1, IndexOf},
    {"substring", 1, 2, Substring},
    {"startsWith", 1, 1, StartsWith},
    {"endsWith", 1, 1, EndsWith},
    {"contains", 1, 1, Contains},
    {"upper", 0, 0, Upper},
    {"lower", 0, 0, Lower},
    {"replace", 2, 2, Replace},
    {"matches", 1, 1, Matches},
    {"matchesFull", 1, 1, Matches},
    {"replaceMatches", 2, 2, ReplaceMatches},
    {"length", 0, 0, Length},
    {"toChars", 0, 0, ToChars},
    {"trim", 0, 0, Trim},
    {"split", 1, 1, Split},
    {"join", 0, 1, Join},
};

}  // namespace

std::span<const FunctionSpec> StringFunctions() { return kFunctions; }

}  // namespace schakel::fhir::path
