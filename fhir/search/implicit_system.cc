// The implicit code system of a token parameter's `code` values; see implicit_system.h.
//
// The FHIRPath checker (fhir/path/checker.cc) computes the element positions of every
// subexpression but keeps them to itself; search expressions for tokens are simple enough
// (`Patient.gender | Person.gender`, `(X.value as CodeableConcept)`,
// `Patient.telecom.where(system='email')`) that a small walker over the text follows them, and
// gives up on anything else.
#include "fhir/search/implicit_system.h"

#include <optional>
#include <vector>

namespace schakel::fhir::search::internal {
namespace {

using definitions::ElementDefinition;
using definitions::ElementRef;
using definitions::Registry;
using Positions = std::vector<ElementRef>;

constexpr std::string_view kCode = "code";

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

class PathWalker {
 public:
  PathWalker(std::string_view text, std::string_view type, const Registry& registry)
      : text_(text), type_(type), registry_(registry) {}

  // The positions the whole expression can select; nullopt when it is not a simple path.
  std::optional<Positions> Walk() {
    std::optional<ElementRef> root = registry_.Root(type_);
    if (!root.has_value()) return std::nullopt;
    root_ = *root;
    std::optional<Positions> out = Union();
    SkipSpace();
    if (pos_ != text_.size()) return std::nullopt;
    return out;
  }

 private:
  // branch ('|' branch)*
  std::optional<Positions> Union() {
    std::optional<Positions> out = Branch();
    while (out.has_value() && Consume('|')) {
      std::optional<Positions> more = Branch();
      if (!more.has_value()) return std::nullopt;
      out->insert(out->end(), more->begin(), more->end());
    }
    return out;
  }

  // ('(' union ')' | start) ('.' step)* ['as' type]
  std::optional<Positions> Branch() {
    std::optional<Positions> out;
    if (Consume('(')) {
      out = Union();
      if (!out.has_value() || !Consume(')')) return std::nullopt;
    } else {
      out = Start(Ident());
    }
    while (out.has_value() && Consume('.')) out = Step(std::move(*out), Ident());
    if (out.has_value() && ConsumeWord("as")) out = OfType(std::move(*out), TypeName());
    return out;
  }

  // A path starts at the type (or one of its bases: `Resource.meta.tag`), at another resource
  // type (which selects nothing on this one), or with a member of the type (`id`).
  std::optional<Positions> Start(std::string_view name) {
    if (name.empty()) return std::nullopt;
    if (name.front() >= 'A' && name.front() <= 'Z' && registry_.Find(name) != nullptr) {
      if (IsOfType(type_, name)) return Positions{root_};
      if (registry_.IsResourceType(name)) return Positions{};
      return std::nullopt;
    }
    return Children(Positions{root_}, name);
  }

  std::optional<Positions> Step(Positions in, std::string_view name) {
    if (name.empty()) return std::nullopt;
    if (!Peek('(')) return Children(in, name);
    if (name == "where")
      return SkipArguments() ? std::optional<Positions>(std::move(in)) : std::nullopt;
    if (name == "ofType" || name == "as") {
      Consume('(');
      std::string_view type = TypeName();
      if (!Consume(')')) return std::nullopt;
      return OfType(std::move(in), type);
    }
    return std::nullopt;  // extension(), resolve(), first(), ...: not followed
  }

  // The child positions called `name` (a choice element: one position per type it allows).
  std::optional<Positions> Children(const Positions& in, std::string_view name) const {
    Positions out;
    for (const ElementRef& parent : in) {
      const definitions::StructureInfo* parent_info = registry_.Find(parent.type_code);
      if (parent_info != nullptr && parent_info->is_abstract &&
          parent_info->kind == definitions::StructureKind::kResource &&
          parent.element != root_.element) {
        return std::nullopt;  // Bundle.entry.resource: only the instance knows its type
      }
      auto [owner, children] = registry_.ChildrenOf(parent);
      for (std::uint32_t index : *children) {
        const ElementDefinition& e = owner->element(index);
        if (e.name != name) continue;
        if (e.is_choice) {
          for (const std::string& type : e.type_codes) out.push_back(ElementRef{owner, &e, type});
          break;
        }
        const ElementDefinition& typed =
            e.content_reference >= 0
                ? owner->element(static_cast<std::uint32_t>(e.content_reference))
                : e;
        if (typed.type_codes.size() != 1) return std::nullopt;
        out.push_back(ElementRef{owner, &e, typed.type_codes[0]});
        break;
      }
    }
    return out;
  }

  std::optional<Positions> OfType(Positions in, std::string_view type) const {
    if (type.starts_with("FHIR.")) type.remove_prefix(5);
    if (type.empty() || registry_.Find(type) == nullptr) return std::nullopt;  // System.*
    Positions out;
    for (const ElementRef& ref : in) {
      if (IsOfType(ref.type_code, type)) out.push_back(ref);
    }
    return out;
  }

  bool IsOfType(std::string_view type, std::string_view name) const {
    for (int guard = 0; !type.empty() && guard < 16; ++guard) {
      if (type == name) return true;
      const definitions::StructureInfo* info = registry_.Find(type);
      if (info == nullptr) break;
      type = info->base_type;
    }
    return false;
  }

  // --- Lexing. ---

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Peek(char c) {
    SkipSpace();
    return pos_ < text_.size() && text_[pos_] == c;
  }

  bool Consume(char c) {
    if (!Peek(c)) return false;
    ++pos_;
    return true;
  }

  // An identifier, plain or `delimited`; empty when there is none.
  std::string_view Ident() {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '`') {
      const std::size_t end = text_.find('`', pos_ + 1);
      if (end == std::string_view::npos) return {};
      std::string_view name = text_.substr(pos_ + 1, end - pos_ - 1);
      pos_ = end + 1;
      return name;
    }
    const std::size_t start = pos_;
    if (pos_ < text_.size() && IsIdentStart(text_[pos_])) {
      while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
    }
    return text_.substr(start, pos_ - start);
  }

  // A keyword followed by something other than an identifier character.
  bool ConsumeWord(std::string_view word) {
    SkipSpace();
    if (text_.substr(pos_, word.size()) != word) return false;
    const std::size_t after = pos_ + word.size();
    if (after < text_.size() && IsIdentChar(text_[after])) return false;
    pos_ = after;
    return true;
  }

  // A type specifier: `code`, `FHIR.code`, `System.String`.
  std::string_view TypeName() {
    SkipSpace();
    const std::size_t start = pos_;
    while (pos_ < text_.size() && (IsIdentChar(text_[pos_]) || text_[pos_] == '.')) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  // A function's arguments, from '(' to its matching ')' (string literals skipped whole).
  bool SkipArguments() {
    if (!Consume('(')) return false;
    int depth = 1;
    while (pos_ < text_.size() && depth > 0) {
      const char c = text_[pos_++];
      if (c == '\'') {
        while (pos_ < text_.size() && text_[pos_] != '\'') pos_ += text_[pos_] == '\\' ? 2 : 1;
        ++pos_;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')') {
        --depth;
      }
    }
    return depth == 0 && pos_ <= text_.size();
  }

  std::string_view text_;
  std::string_view type_;
  const Registry& registry_;
  ElementRef root_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string ImplicitCodeSystem(std::string_view expression, std::string_view type,
                               const definitions::Registry& registry,
                               const definitions::ValueSetIndex& value_sets) {
  std::optional<Positions> positions = PathWalker(expression, type, registry).Walk();
  if (!positions.has_value()) return {};
  std::string_view system;
  for (const ElementRef& ref : *positions) {
    if (ref.type_code == "Extension") return {};
    if (ref.type_code != kCode) continue;
    const ElementDefinition& e = *ref.element;
    if (e.binding != definitions::BindingStrength::kRequired) return {};
    std::string_view one = value_sets.SingleSystem(e.value_set);
    if (one.empty() || (!system.empty() && one != system)) return {};
    system = one;
  }
  return std::string(system);
}

}  // namespace schakel::fhir::search::internal
