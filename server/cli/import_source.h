// What `schakel import` sends through the FHIR API for its input files: each file becomes one or
// more batch or transaction Bundles ("units"), so that imported data passes exactly the checks
// of data sent over HTTP.
//
//  - A Bundle of type transaction or batch is sent as it is.
//  - A Bundle of type collection or searchset becomes a transaction of its entries' resources,
//    so references between them (by fullUrl, urn:uuid: included) are resolved; searchset
//    entries with search.mode "outcome" are left out.
//  - Any other resource, including a Bundle of another type (document, message, history), is
//    stored as it is, in a batch of one.
//  - An NDJSON file (one resource per line, as FHIR Bulk Data writes them) becomes batches of
//    up to `batch_size` lines; a line that fails fails alone.
// A resource with an id is written with PUT (so the id is kept), one without with POST.
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fhir/definitions/registry.h"
#include "fhir/status.h"

namespace schakel::server::cli {

struct ImportUnit {
  std::string body;  // a Bundle of type batch or transaction, as JSON
  bool transaction = false;
  std::string source;  // "FILE" or "FILE:FIRST-LAST" (NDJSON lines), for messages
  // For each entry of a batch built from NDJSON, where it came from ("FILE:LINE").
  std::vector<std::string> entry_sources;
  std::size_t entries = 0;
  // Input found wrong before anything was sent (an NDJSON line that is not JSON), one message
  // each; they count as failed resources.
  std::vector<std::string> failures;
  std::uint64_t bytes = 0;  // how much of the input file this unit covers
};

// The files to import, in a stable order: each FILE argument as given, and every *.json,
// *.ndjson and *.xml file under each DIR argument (recursively, sorted by path). Errors for a
// path that does not exist or a FILE with another extension.
fhir::Result<std::vector<std::string>> ListImportFiles(const std::vector<std::string>& paths);

// Turns one FHIR JSON or XML document into the unit that imports it.
fhir::Result<ImportUnit> UnitForDocument(const std::string& file, const std::string& text,
                                         bool is_xml, const fhir::definitions::Registry& registry);

// Reads an NDJSON file a batch at a time, without holding the file in memory.
class NdjsonReader {
 public:
  static constexpr std::size_t kMaxLineBytes = std::size_t{64} << 20;

  static fhir::Result<std::unique_ptr<NdjsonReader>> Open(const std::string& file,
                                                          std::size_t batch_size);
  // The next batch, or nullopt at the end of the file.
  fhir::Result<std::optional<ImportUnit>> Next();

 private:
  NdjsonReader(std::string file, std::size_t batch_size)
      : file_(std::move(file)), batch_size_(batch_size) {}
  // The next line without its end; nullopt at the end of the file. A line longer than
  // kMaxLineBytes is read past and comes back empty with `too_long` set.
  std::optional<std::string> ReadLine(bool& too_long);

  std::string file_;
  std::size_t batch_size_;
  std::ifstream in_;
  std::size_t line_ = 0;
  std::uint64_t bytes_ = 0;
};

}  // namespace schakel::server::cli
