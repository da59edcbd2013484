// A progress line on stderr for long-running commands (`schakel import`).
//
// On a terminal it redraws one line in place, at most ten times a second:
//   [##########..........]  50%  12,345 resources  9,876/s  2 failed  bundles/x.json
// Elsewhere (a log file, a pipe, a test) it writes a plain line when an item is done instead,
// so the output stays readable.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace schakel::server::cli {

class ProgressLine {
 public:
  // `total` is the amount of work (bytes); `enabled` false makes every call a no-op.
  ProgressLine(std::uint64_t total, bool enabled, std::FILE* out = stderr);

  // Work done so far, what it produced, and the item being worked on.
  void Update(std::uint64_t done, std::uint64_t resources, std::uint64_t failed,
              const std::string& item);
  // An item is done: on a terminal nothing extra, elsewhere one line.
  void ItemDone(const std::string& item, std::uint64_t resources, std::uint64_t failed);
  // Prints a message (a failure) without garbling the progress line.
  void Message(const std::string& text);
  // Ends the progress line.
  void Finish();

  double Seconds() const;

 private:
  void Draw(bool force);

  std::uint64_t total_;
  bool enabled_;
  bool tty_;
  std::FILE* out_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  std::uint64_t done_ = 0;
  std::uint64_t resources_ = 0;
  std::uint64_t failed_ = 0;
  std::string item_;
  bool drawn_ = false;
};

// 12345678 -> "12,345,678".
std::string WithThousands(std::uint64_t n);

}  // namespace schakel::server::cli
