#include "fhir/path/ast.h"

namespace schakel::fhir::path {

Node::~Node() {
  std::vector<std::unique_ptr<Node>> pending;
  if (target) pending.push_back(std::move(target));
  for (auto& arg : args) {
    if (arg) pending.push_back(std::move(arg));
  }
  while (!pending.empty()) {
    std::unique_ptr<Node> node = std::move(pending.back());
    pending.pop_back();
    if (node->target) pending.push_back(std::move(node->target));
    for (auto& arg : node->args) {
      if (arg) pending.push_back(std::move(arg));
    }
    // `node` now has no children and is destroyed here without recursing.
  }
}

}  // namespace schakel::fhir::path
