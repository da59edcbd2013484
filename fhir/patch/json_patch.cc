#include "fhir/patch/json_patch.h"

#include <algorithm>
#include <charconv>
#include <utility>

namespace schakel::fhir::patch {
namespace {

using json::Kind;
using json::Value;

// Pointers and names are quoted in messages, but never at any length.
constexpr std::size_t kMaxQuoted = 200;

std::string Quote(std::string_view text) {
  if (text.size() <= kMaxQuoted) return std::string(text);
  return std::string(text.substr(0, kMaxQuoted)) + "...";
}

// An array index token: "0" or digits without a leading zero (RFC 6901 section 4). nullopt for
// anything else, including "-" and numbers too large to be an index.
std::optional<std::size_t> ParseIndex(std::string_view token) {
  if (token.empty() || token.size() > 18) return std::nullopt;
  if (token.size() > 1 && token[0] == '0') return std::nullopt;
  std::size_t index = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
  if (ec != std::errc() || end != token.data() + token.size()) return std::nullopt;
  return index;
}

// How many values a subtree holds (itself included) and how deeply it nests containers: a
// scalar is 0 deep, `{}` is 1, `{"a": []}` is 2. Iterative, so any depth is safe.
struct Extent {
  std::size_t values = 0;
  std::size_t depth = 0;
};

Extent Measure(const Value& root) {
  Extent extent;
  std::vector<std::pair<const Value*, std::size_t>> stack{{&root, 0}};
  while (!stack.empty()) {
    auto [v, depth] = stack.back();
    stack.pop_back();
    ++extent.values;
    if (v->is_array() || v->is_object()) extent.depth = std::max(extent.depth, depth + 1);
    if (v->is_array()) {
      for (const Value& item : v->items()) stack.emplace_back(&item, depth + 1);
    } else if (v->is_object()) {
      for (const json::Member& m : v->members()) stack.emplace_back(&m.value, depth + 1);
    }
  }
  return extent;
}

// A JSON number as digits * 10^exponent, without leading or trailing zeros in `digits`; zero has
// no digits and is never negative. nullopt for text that is not a JSON number.
struct DecimalForm {
  bool negative = false;
  std::string digits;
  long long exponent = 0;
  friend bool operator==(const DecimalForm&, const DecimalForm&) = default;
};

std::optional<DecimalForm> ToDecimalForm(std::string_view text) {
  DecimalForm d;
  std::size_t i = 0;
  if (i < text.size() && text[i] == '-') {
    d.negative = true;
    ++i;
  }
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  const std::size_t int_start = i;
  while (i < text.size() && is_digit(text[i])) d.digits += text[i++];
  if (i == int_start) return std::nullopt;
  long long fraction = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    const std::size_t frac_start = i;
    while (i < text.size() && is_digit(text[i])) d.digits += text[i++];
    if (i == frac_start) return std::nullopt;
    fraction = static_cast<long long>(i - frac_start);
  }
  long long exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool negative_exponent = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative_exponent = text[i++] == '-';
    const std::size_t exp_start = i;
    // Saturate: the parser refuses numbers beyond a double's range, so this never decides.
    constexpr long long kSaturated = 1'000'000'000'000LL;
    while (i < text.size() && is_digit(text[i])) {
      exponent = std::min(kSaturated, exponent * 10 + (text[i++] - '0'));
    }
    if (i == exp_start) return std::nullopt;
    if (negative_exponent) exponent = -exponent;
  }
  if (i != text.size()) return std::nullopt;
  d.exponent = exponent - fraction;
  const std::size_t first = d.digits.find_first_not_of('0');
  if (first == std::string::npos) return DecimalForm{};  // zero, also -0 and 0.00e5
  d.digits.erase(0, first);
  while (d.digits.back() == '0') {
    d.digits.pop_back();
    ++d.exponent;
  }
  return d;
}

bool NumbersEqual(const std::string& a, const std::string& b) {
  if (a == b) return true;
  std::optional<DecimalForm> x = ToDecimalForm(a);
  std::optional<DecimalForm> y = ToDecimalForm(b);
  return x && y && *x == *y;
}

// Applies the operations of one patch, keeping count of the values in the document and of the
// work done so far, both bounded by the limits.
class Applier {
 public:
  Applier(const JsonPatchLimits& limits, Value& document) : limits_(limits), doc_(document) {}

  Status Start() {
    Extent extent = Measure(doc_);
    values_ = extent.values;
    return Charge(extent.values);
  }

  Status Run(const JsonPatchOperation& op) {
    switch (op.op) {
      case JsonPatchOp::kAdd:
        return Add(op.path, Value(op.value));
      case JsonPatchOp::kRemove: {
        Result<Value> removed = Take(op.path, "path");
        return removed.status();
      }
      case JsonPatchOp::kReplace:
        return Replace(op.path, Value(op.value));
      case JsonPatchOp::kMove:
        return Move(op.from, op.path);
      case JsonPatchOp::kCopy: {
        Result<Value*> source = Find(op.from, "from");
        if (!source.ok()) return source.status();
        SCHAKEL_RETURN_IF_ERROR(Charge(Measure(**source).values));
        return Add(op.path, Value(**source));
      }
      case JsonPatchOp::kTest: {
        Result<Value*> target = Find(op.path, "path");
        if (!target.ok()) return target.status();
        SCHAKEL_RETURN_IF_ERROR(Charge(Measure(op.value).values));
        if (!JsonEquals(**target, op.value)) {
          return Status::Unprocessable("test failed: the value at " + Quote(op.path.ToString()) +
                                       " is not the expected value");
        }
        return Status::Ok();
      }
    }
    return Status::Internal("unknown JSON Patch operation");
  }

 private:
  Status Charge(std::size_t work) {
    work_ += work;
    if (work_ > limits_.max_work) {
      return Status::Unprocessable("the patch needs more work than this server allows (" +
                                       std::to_string(limits_.max_work) + " value steps)",
                                   "", IssueType::kTooCostly);
    }
    return Status::Ok();
  }

  // Counts `added` values in and `removed` out; fails beyond max_values.
  Status Account(std::size_t added, std::size_t removed) {
    values_ = values_ + added - std::min(removed, values_ + added);
    if (values_ > limits_.max_values) {
      return Status::Unprocessable("the patched document would hold more than " +
                                       std::to_string(limits_.max_values) + " values",
                                   "", IssueType::kTooCostly);
    }
    return Status::Ok();
  }

  static Status NoValue(std::string_view member, const JsonPointer& pointer) {
    return Status::Unprocessable(std::string(member) + " " + Quote(pointer.ToString()) +
                                 " refers to no value in the document");
  }

  // The value at the first `count` tokens of `pointer`, or nullptr when there is none. Object
  // lookups are linear, so they are charged by the object's size.
  Result<Value*> Walk(const JsonPointer& pointer, std::size_t count) {
    Value* current = &doc_;
    for (std::size_t i = 0; i < count && current != nullptr; ++i) {
      const std::string& token = pointer.tokens()[i];
      Value* next = nullptr;
      if (current->is_object()) {
        SCHAKEL_RETURN_IF_ERROR(Charge(current->size() + 1));
        next = current->Find(token);
      } else if (current->is_array()) {
        SCHAKEL_RETURN_IF_ERROR(Charge(1));
        std::optional<std::size_t> index = ParseIndex(token);
        if (index && *index < current->items().size()) next = &current->items()[*index];
      }
      current = next;
    }
    return current;
  }

  // The value `pointer` (named `member` in messages) refers to, which must exist.
  Result<Value*> Find(const JsonPointer& pointer, std::string_view member) {
    Result<Value*> found = Walk(pointer, pointer.tokens().size());
    if (!found.ok()) return found.status();
    if (*found == nullptr) return NoValue(member, pointer);
    return found;
  }

  // The container that holds the value `pointer` refers to (the value at all tokens but the
  // last), which must exist and be an object or an array.
  Result<Value*> Parent(const JsonPointer& pointer) {
    Result<Value*> parent = Walk(pointer, pointer.tokens().size() - 1);
    if (!parent.ok()) return parent.status();
    Value* current = *parent;
    if (current == nullptr) {
      return Status::Unprocessable("path " + Quote(pointer.ToString()) +
                                   " has no parent in the document");
    }
    if (!current->is_object() && !current->is_array()) {
      return Status::Unprocessable("path " + Quote(pointer.ToString()) +
                                   " goes below a value that is neither an object nor an array");
    }
    return current;
  }

  Status Add(const JsonPointer& path, Value value) {
    const Extent extent = Measure(value);
    SCHAKEL_RETURN_IF_ERROR(Charge(extent.values));
    if (path.tokens().size() + extent.depth > limits_.max_depth) {
      return Status::Unprocessable("the patched document would nest deeper than " +
                                       std::to_string(limits_.max_depth) + " levels",
                                   "", IssueType::kTooCostly);
    }
    if (path.IsRoot()) {
      SCHAKEL_RETURN_IF_ERROR(Account(extent.values, values_));
      doc_ = std::move(value);
      return Status::Ok();
    }
    Result<Value*> parent = Parent(path);
    if (!parent.ok()) return parent.status();
    Value& container = **parent;
    const std::string& last = path.tokens().back();
    if (container.is_object()) {
      SCHAKEL_RETURN_IF_ERROR(Charge(container.size()));
      std::size_t replaced = 0;
      if (const Value* existing = container.Find(last)) replaced = Measure(*existing).values;
      SCHAKEL_RETURN_IF_ERROR(Charge(replaced));
      SCHAKEL_RETURN_IF_ERROR(Account(extent.values, replaced));
      container.Set(last, std::move(value));
      return Status::Ok();
    }
    std::vector<Value>& items = container.items();
    std::size_t index = items.size();
    if (last != "-") {
      std::optional<std::size_t> parsed = ParseIndex(last);
      if (!parsed || *parsed > items.size()) {
        return Status::Unprocessable("path " + Quote(path.ToString()) +
                                     ": not an index within the array (it has " +
                                     std::to_string(items.size()) + " items)");
      }
      index = *parsed;
    }
    SCHAKEL_RETURN_IF_ERROR(Charge(items.size() - index + 1));
    SCHAKEL_RETURN_IF_ERROR(Account(extent.values, 0));
    items.insert(items.begin() + static_cast<std::ptrdiff_t>(index), std::move(value));
    return Status::Ok();
  }

  // Removes the value at `path` (named `member` in messages) and returns it.
  Result<Value> Take(const JsonPointer& path, std::string_view member) {
    if (path.IsRoot()) return Status::Unprocessable("the whole document cannot be removed");
    Result<Value*> parent = Parent(path);
    if (!parent.ok()) return parent.status();
    Value& container = **parent;
    const std::string& last = path.tokens().back();
    Value taken;
    if (container.is_object()) {
      SCHAKEL_RETURN_IF_ERROR(Charge(container.size()));
      Value* value = container.Find(last);
      if (value == nullptr) return NoValue(member, path);
      taken = std::move(*value);
      container.Remove(last);
    } else {
      std::vector<Value>& items = container.items();
      std::optional<std::size_t> index = ParseIndex(last);
      if (!index || *index >= items.size()) return NoValue(member, path);
      SCHAKEL_RETURN_IF_ERROR(Charge(items.size() - *index));
      taken = std::move(items[*index]);
      items.erase(items.begin() + static_cast<std::ptrdiff_t>(*index));
    }
    const std::size_t removed = Measure(taken).values;
    SCHAKEL_RETURN_IF_ERROR(Charge(removed));
    SCHAKEL_RETURN_IF_ERROR(Account(0, removed));
    return taken;
  }

  Status Replace(const JsonPointer& path, Value value) {
    if (path.IsRoot()) return Add(path, std::move(value));
    // RFC 6902 4.3: as a remove followed by an add; the target must exist.
    Result<Value*> found = Find(path, "path");
    if (!found.ok()) return found.status();
    Value* target = *found;
    const Extent extent = Measure(value);
    const std::size_t replaced = Measure(*target).values;
    SCHAKEL_RETURN_IF_ERROR(Charge(extent.values + replaced));
    if (path.tokens().size() + extent.depth > limits_.max_depth) {
      return Status::Unprocessable("the patched document would nest deeper than " +
                                       std::to_string(limits_.max_depth) + " levels",
                                   "", IssueType::kTooCostly);
    }
    SCHAKEL_RETURN_IF_ERROR(Account(extent.values, replaced));
    *target = std::move(value);
    return Status::Ok();
  }

  Status Move(const JsonPointer& from, const JsonPointer& path) {
    if (from.tokens() == path.tokens()) return Find(from, "from").status();
    if (from.IsProperPrefixOf(path)) {
      return Status::Unprocessable("a value cannot be moved into itself: from " +
                                   Quote(from.ToString()) + " is a prefix of path " +
                                   Quote(path.ToString()));
    }
    Result<Value> taken = Take(from, "from");
    if (!taken.ok()) return taken.status();
    return Add(path, std::move(taken).value());
  }

  const JsonPatchLimits& limits_;
  Value& doc_;
  std::size_t values_ = 0;
  std::size_t work_ = 0;
};

}  // namespace

Result<JsonPointer> JsonPointer::Parse(std::string_view text) {
  JsonPointer pointer;
  if (text.empty()) return pointer;
  if (text[0] != '/') {
    return Status::InvalidInput("a JSON Pointer is empty or starts with '/': '" + Quote(text) +
                                "'");
  }
  std::string token;
  for (std::size_t i = 1; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '/') {
      pointer.tokens_.push_back(std::move(token));
      token.clear();
      continue;
    }
    if (text[i] != '~') {
      token += text[i];
      continue;
    }
    if (i + 1 < text.size() && (text[i + 1] == '0' || text[i + 1] == '1')) {
      token += text[i + 1] == '0' ? '~' : '/';
      ++i;
      continue;
    }
    return Status::InvalidInput("a '~' in a JSON Pointer must be followed by 0 or 1: '" +
                                Quote(text) + "'");
  }
  return pointer;
}

bool JsonPointer::IsProperPrefixOf(const JsonPointer& other) const {
  if (tokens_.size() >= other.tokens_.size()) return false;
  return std::equal(tokens_.begin(), tokens_.end(), other.tokens_.begin());
}

std::string JsonPointer::ToString() const {
  std::string text;
  for (const std::string& token : tokens_) {
    text += '/';
    for (char c : token) {
      if (c == '~') {
        text += "~0";
      } else if (c == '/') {
        text += "~1";
      } else {
        text += c;
      }
    }
  }
  return text;
}

const Value* Resolve(const Value& document, const JsonPointer& pointer) {
  const Value* current = &document;
  for (const std::string& token : pointer.tokens()) {
    if (current->is_object()) {
      current = current->Find(token);
    } else if (current->is_array()) {
      std::optional<std::size_t> index = ParseIndex(token);
      if (!index || *index >= current->items().size()) return nullptr;
      current = &current->items()[*index];
    } else {
      return nullptr;
    }
    if (current == nullptr) return nullptr;
  }
  return current;
}

bool JsonEquals(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Kind::kNull:
      return true;
    case Kind::kBool:
      return a.bool_value() == b.bool_value();
    case Kind::kString:
      return a.text() == b.text();
    case Kind::kNumber:
      return NumbersEqual(a.text(), b.text());
    case Kind::kArray: {
      if (a.items().size() != b.items().size()) return false;
      for (std::size_t i = 0; i < a.items().size(); ++i) {
        if (!JsonEquals(a.items()[i], b.items()[i])) return false;
      }
      return true;
    }
    case Kind::kObject: {
      if (a.members().size() != b.members().size()) return false;
      // Sorted by name, so large objects compare in n log n; names are unique in our model.
      auto sorted = [](const Value& v) {
        std::vector<const json::Member*> members;
        members.reserve(v.members().size());
        for (const json::Member& m : v.members()) members.push_back(&m);
        std::sort(members.begin(), members.end(),
                  [](const json::Member* x, const json::Member* y) { return x->name < y->name; });
        return members;
      };
      const std::vector<const json::Member*> x = sorted(a);
      const std::vector<const json::Member*> y = sorted(b);
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (x[i]->name != y[i]->name || !JsonEquals(x[i]->value, y[i]->value)) return false;
      }
      return true;
    }
  }
  return false;
}

std::string_view JsonPatchOpName(JsonPatchOp op) {
  switch (op) {
    case JsonPatchOp::kAdd:
      return "add";
    case JsonPatchOp::kRemove:
      return "remove";
    case JsonPatchOp::kReplace:
      return "replace";
    case JsonPatchOp::kMove:
      return "move";
    case JsonPatchOp::kCopy:
      return "copy";
    case JsonPatchOp::kTest:
      return "test";
  }
  return "unknown";
}

Result<JsonPatch> JsonPatch::Parse(const Value& document, const JsonPatchLimits& limits) {
  if (!document.is_array()) {
    return Status::InvalidInput("a JSON Patch document is a JSON array of operation objects");
  }
  if (document.items().size() > limits.max_operations) {
    return Status::TooLarge("the JSON Patch has " + std::to_string(document.items().size()) +
                            " operations; this server takes at most " +
                            std::to_string(limits.max_operations));
  }
  JsonPatch patch;
  patch.limits_ = limits;
  patch.operations_.reserve(document.items().size());
  for (std::size_t i = 0; i < document.items().size(); ++i) {
    const Value& item = document.items()[i];
    const std::string where = "JSON Patch operation " + std::to_string(i);
    if (!item.is_object()) return Status::InvalidInput(where + " is not a JSON object");
    const std::string* op_name = item.FindString("op");
    if (op_name == nullptr) return Status::InvalidInput(where + " has no \"op\" string");
    JsonPatchOperation op;
    static constexpr JsonPatchOp kOps[] = {JsonPatchOp::kAdd,     JsonPatchOp::kRemove,
                                           JsonPatchOp::kReplace, JsonPatchOp::kMove,
                                           JsonPatchOp::kCopy,    JsonPatchOp::kTest};
    const JsonPatchOp* found = std::find_if(std::begin(kOps), std::end(kOps), [&](JsonPatchOp o) {
      return JsonPatchOpName(o) == *op_name;
    });
    if (found == std::end(kOps)) {
      return Status::InvalidInput(where + " has an unknown op '" + Quote(*op_name) +
                                  "' (add, remove, replace, move, copy or test)");
    }
    op.op = *found;
    auto pointer = [&](std::string_view member) -> Result<JsonPointer> {
      const std::string* text = item.FindString(member);
      if (text == nullptr) {
        return Status::InvalidInput(where + " (" + *op_name + ") has no \"" + std::string(member) +
                                    "\" string");
      }
      Result<JsonPointer> parsed = JsonPointer::Parse(*text);
      if (!parsed.ok()) {
        return Status::InvalidInput(where + ": " + std::string(parsed.status().message()));
      }
      if (parsed->tokens().size() > limits.max_depth) {
        return Status::TooLarge(where + ": the pointer is deeper than " +
                                std::to_string(limits.max_depth) + " levels");
      }
      return parsed;
    };
    Result<JsonPointer> path = pointer("path");
    if (!path.ok()) return path.status();
    op.path = std::move(path).value();
    if (op.op == JsonPatchOp::kMove || op.op == JsonPatchOp::kCopy) {
      Result<JsonPointer> from = pointer("from");
      if (!from.ok()) return from.status();
      op.from = std::move(from).value();
    }
    if (op.op == JsonPatchOp::kAdd || op.op == JsonPatchOp::kReplace ||
        op.op == JsonPatchOp::kTest) {
      const Value* value = item.Find("value");
      if (value == nullptr) {
        return Status::InvalidInput(where + " (" + *op_name + ") has no \"value\"");
      }
      op.value = *value;
    }
    patch.operations_.push_back(std::move(op));
  }
  return patch;
}

Result<Value> JsonPatch::Apply(Value document) const {
  Applier applier(limits_, document);
  SCHAKEL_RETURN_IF_ERROR(applier.Start());
  for (std::size_t i = 0; i < operations_.size(); ++i) {
    const JsonPatchOperation& op = operations_[i];
    Status s = applier.Run(op);
    if (!s.ok()) {
      std::vector<Issue> issues = s.issues();
      for (Issue& issue : issues) {
        issue.diagnostics = "JSON Patch operation " + std::to_string(i) + " (" +
                            std::string(JsonPatchOpName(op.op)) + " " + Quote(op.path.ToString()) +
                            "): " + issue.diagnostics;
      }
      return Status::WithIssues(s.code(), std::move(issues));
    }
  }
  return document;
}

}  // namespace schakel::fhir::patch
