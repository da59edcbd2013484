// The search parameters in force. $reindex replaces them as a whole (adding SearchParameter
// resources created through the API); requests take a snapshot and keep it for their duration.
#pragma once

#include <memory>
#include <mutex>

#include "fhir/search/search_parameter.h"

namespace schakel::server::rest {

class SearchParamsSlot {
 public:
  explicit SearchParamsSlot(std::shared_ptr<const fhir::search::SearchParameterRegistry> params)
      : current_(std::move(params)) {}

  std::shared_ptr<const fhir::search::SearchParameterRegistry> Get() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return current_;
  }
  void Set(std::shared_ptr<const fhir::search::SearchParameterRegistry> params) {
    std::lock_guard<std::mutex> lock(mutex_);
    current_ = std::move(params);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const fhir::search::SearchParameterRegistry> current_;
};

}  // namespace schakel::server::rest
