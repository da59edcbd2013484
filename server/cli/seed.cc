#include "server/cli/seed.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include "fhir/json/parse.h"
#include "fhir/json/write.h"

namespace schakel::server::cli {
namespace {

using fhir::Status;
namespace fs = std::filesystem;

fhir::Status Send(const rest::FhirApi& api, const fhir::json::Value& resource,
                  const std::string& where) {
  const std::string* type = resource.FindString("resourceType");
  if (type == nullptr) return Status::InvalidInput(where + ": no resourceType");
  const std::string* id = resource.FindString("id");
  http::Request request;
  request.method = id != nullptr ? "PUT" : "POST";
  request.target = "/fhir/" + *type + (id != nullptr ? "/" + *id : "");
  request.headers.push_back({"Content-Type", "application/fhir+json"});
  request.headers.push_back({"Prefer", "return=minimal"});
  request.body = fhir::json::Serialize(resource);
  std::promise<http::Response> promise;
  auto future = promise.get_future();
  api.HandleTrusted(std::move(request),
                    [&promise](http::Response r) { promise.set_value(std::move(r)); });
  http::Response response = future.get();
  if (response.status >= 300) {
    return Status::InvalidInput(where + " (" + *type + (id ? "/" + *id : "") + "): HTTP " +
                                std::to_string(response.status) + " " + response.body);
  }
  return Status::Ok();
}

}  // namespace

fhir::Result<int> SeedFromDirectory(const rest::FhirApi& api, const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::InvalidInput("seed folder " + dir + " not found");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  int stored = 0;
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    fhir::Result<fhir::json::Value> doc = fhir::json::Parse(text.str());
    if (!doc.ok())
      return Status::InvalidInput(file.string() + ": " + std::string(doc.status().message()));
    const std::string* type = doc->FindString("resourceType");
    const fhir::json::Value* entries = doc->Find("entry");
    if (type != nullptr && *type == "Bundle" && entries != nullptr && entries->is_array()) {
      for (std::size_t i = 0; i < entries->items().size(); ++i) {
        const fhir::json::Value* resource = entries->items()[i].Find("resource");
        if (resource == nullptr) continue;
        SCHAKEL_RETURN_IF_ERROR(
            Send(api, *resource, file.string() + " entry " + std::to_string(i)));
        ++stored;
      }
    } else {
      SCHAKEL_RETURN_IF_ERROR(Send(api, *doc, file.string()));
      ++stored;
    }
  }
  return stored;
}

}  // namespace schakel::server::cli
