#include "server/cli/import_source.h"

#include <algorithm>
#include <filesystem>

#include "fhir/json/parse.h"
#include "fhir/json/write.h"
#include "fhir/xml/reader.h"

namespace schakel::server::cli {
namespace {

using fhir::Status;
using fhir::json::Value;
namespace fs = std::filesystem;

bool Importable(const fs::path& path) {
  const std::string ext = path.extension().string();
  return ext == ".json" || ext == ".ndjson" || ext == ".xml";
}

// A Bundle entry that writes `resource`: PUT Type/id when it has an id, else POST Type.
Value WriteEntry(Value resource, const std::string* full_url) {
  const std::string type = *resource.FindString("resourceType");
  const std::string* id = resource.FindString("id");
  Value request = Value::Object();
  request.Set("method", Value::String(id != nullptr ? "PUT" : "POST"));
  request.Set("url", Value::String(id != nullptr ? type + "/" + *id : type));
  Value entry = Value::Object();
  if (full_url != nullptr) entry.Set("fullUrl", Value::String(*full_url));
  entry.Set("resource", std::move(resource));
  entry.Set("request", std::move(request));
  return entry;
}

Value NewBundle(bool transaction) {
  Value bundle = Value::Object();
  bundle.Set("resourceType", Value::String("Bundle"));
  bundle.Set("type", Value::String(transaction ? "transaction" : "batch"));
  bundle.Set("entry", Value::Array());
  return bundle;
}

// Checks what WriteEntry needs; everything else is the API's to check.
Status CheckResource(const Value& resource) {
  if (!resource.is_object()) return Status::InvalidInput("not a JSON object");
  const std::string* type = resource.FindString("resourceType");
  if (type == nullptr || type->empty()) return Status::InvalidInput("no resourceType");
  return Status::Ok();
}

}  // namespace

fhir::Result<std::vector<std::string>> ListImportFiles(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) return Status::NotFound(path + ": no such file or folder");
    if (fs::is_directory(status)) {
      std::vector<std::string> found;
      fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
      if (ec) return Status::InvalidInput(path + ": " + ec.message());
      for (const fs::directory_entry& entry : it) {
        if (entry.is_regular_file(ec) && Importable(entry.path())) {
          found.push_back(entry.path().string());
        }
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (Importable(path)) {
      files.push_back(path);
    } else {
      return Status::InvalidInput(path +
                                  ": not a .json, .ndjson or .xml file (FHIR JSON, NDJSON or XML)");
    }
  }
  return files;
}

fhir::Result<ImportUnit> UnitForDocument(const std::string& file, const std::string& text,
                                         bool is_xml, const fhir::definitions::Registry& registry) {
  fhir::Result<Value> parsed =
      is_xml ? fhir::xml::ParseResource(text, registry) : fhir::json::Parse(text);
  if (!parsed.ok()) return parsed.status();
  Value& doc = *parsed;
  SCHAKEL_RETURN_IF_ERROR(CheckResource(doc));
  ImportUnit unit;
  unit.source = file;
  unit.bytes = text.size();
  const std::string* bundle_type =
      *doc.FindString("resourceType") == "Bundle" ? doc.FindString("type") : nullptr;
  const std::string kind = bundle_type != nullptr ? *bundle_type : "";
  if (kind == "transaction" || kind == "batch") {
    unit.transaction = kind == "transaction";
    const Value* entries = doc.Find("entry");
    unit.entries = entries != nullptr && entries->is_array() ? entries->items().size() : 0;
    unit.body = is_xml ? fhir::json::Serialize(doc) : text;
    return unit;
  }
  if (kind == "collection" || kind == "searchset") {
    Value bundle = NewBundle(/*transaction=*/true);
    Value& out = *bundle.Find("entry");
    if (Value* entries = doc.Find("entry"); entries != nullptr && entries->is_array()) {
      for (std::size_t i = 0; i < entries->items().size(); ++i) {
        Value& entry = entries->items()[i];
        Value* resource = entry.is_object() ? entry.Find("resource") : nullptr;
        if (resource == nullptr) continue;
        if (const Value* search = entry.Find("search"); search != nullptr && search->is_object()) {
          const std::string* mode = search->FindString("mode");
          if (mode != nullptr && *mode == "outcome") continue;
        }
        if (Status s = CheckResource(*resource); !s.ok()) {
          return Status::InvalidInput("entry " + std::to_string(i) + ": " +
                                      std::string(s.message()));
        }
        out.Push(WriteEntry(std::move(*resource), entry.FindString("fullUrl")));
      }
    }
    unit.transaction = true;
    unit.entries = out.items().size();
    unit.body = fhir::json::Serialize(bundle);
    return unit;
  }
  Value bundle = NewBundle(/*transaction=*/false);
  bundle.Find("entry")->Push(WriteEntry(std::move(doc), nullptr));
  unit.entries = 1;
  unit.entry_sources.push_back(file);
  unit.body = fhir::json::Serialize(bundle);
  return unit;
}

fhir::Result<std::unique_ptr<NdjsonReader>> NdjsonReader::Open(const std::string& file,
                                                               std::size_t batch_size) {
  std::unique_ptr<NdjsonReader> reader(
      new NdjsonReader(file, std::max<std::size_t>(1, batch_size)));
  reader->in_.open(file, std::ios::binary);
  if (!reader->in_) return Status::InvalidInput(file + ": cannot be read");
  return reader;
}

std::optional<std::string> NdjsonReader::ReadLine(bool& too_long) {
  too_long = false;
  std::string line;
  std::streambuf* buf = in_.rdbuf();
  bool any = false;
  for (;;) {
    const int c = buf->sbumpc();
    if (c == std::char_traits<char>::eof()) break;
    any = true;
    ++bytes_;
    if (c == '\n') break;
    if (line.size() >= kMaxLineBytes) {
      too_long = true;
      continue;  // read on to the end of the line, keeping nothing
    }
    line.push_back(static_cast<char>(c));
  }
  if (!any) return std::nullopt;
  ++line_;
  if (too_long) line.clear();
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

fhir::Result<std::optional<ImportUnit>> NdjsonReader::Next() {
  ImportUnit unit;
  Value bundle = NewBundle(/*transaction=*/false);
  Value& entries = *bundle.Find("entry");
  const std::uint64_t start_bytes = bytes_;
  std::size_t first = 0;
  bool any = false;
  while (entries.items().size() < batch_size_) {
    bool too_long = false;
    std::optional<std::string> line = ReadLine(too_long);
    if (!line) break;
    if (!any) first = line_;
    any = true;
    const std::string where = file_ + ":" + std::to_string(line_);
    if (too_long) {
      unit.failures.push_back(where + ": the line is longer than " +
                              std::to_string(kMaxLineBytes >> 20) + " MiB");
      continue;
    }
    if (line->find_first_not_of(" \t") == std::string::npos) continue;  // blank lines
    fhir::Result<Value> resource = fhir::json::Parse(*line);
    Status s = resource.ok() ? CheckResource(*resource) : resource.status();
    if (!s.ok()) {
      unit.failures.push_back(where + ": " + std::string(s.message()));
      continue;
    }
    entries.Push(WriteEntry(std::move(resource).value(), nullptr));
    unit.entry_sources.push_back(where);
  }
  if (!any) {
    if (in_.bad()) return Status::InvalidInput(file_ + ": read error");
    return std::optional<ImportUnit>();
  }
  unit.source = file_ + ":" + std::to_string(first) + "-" + std::to_string(line_);
  unit.entries = entries.items().size();
  unit.bytes = bytes_ - start_bytes;
  if (unit.entries > 0) unit.body = fhir::json::Serialize(bundle);
  return std::optional<ImportUnit>(std::move(unit));
}

}  // namespace schakel::server::cli
