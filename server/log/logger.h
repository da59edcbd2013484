// Structured logging: one logfmt line per event (`ts=... level=info event=request method=GET ...`).
//
// Values are quoted and escaped, so a hostile path or header cannot forge log lines. Each line is
// written with one fwrite under a mutex. Thread-safe.
#pragma once

#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace schakel::server {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
std::optional<LogLevel> ParseLogLevel(std::string_view name);

struct LogField {
  std::string_view key;
  std::string value;
};

class Logger {
 public:
  explicit Logger(LogLevel level = LogLevel::kInfo, std::FILE* out = stderr);

  bool Enabled(LogLevel level) const { return level >= level_; }
  void Log(LogLevel level, std::string_view event, const std::vector<LogField>& fields = {});

  void Debug(std::string_view event, const std::vector<LogField>& fields = {}) {
    Log(LogLevel::kDebug, event, fields);
  }
  void Info(std::string_view event, const std::vector<LogField>& fields = {}) {
    Log(LogLevel::kInfo, event, fields);
  }
  void Warn(std::string_view event, const std::vector<LogField>& fields = {}) {
    Log(LogLevel::kWarn, event, fields);
  }
  void Error(std::string_view event, const std::vector<LogField>& fields = {}) {
    Log(LogLevel::kError, event, fields);
  }

  // Appends `key=value` to `line`, quoting and escaping the value when it needs it.
  static void AppendField(std::string& line, std::string_view key, std::string_view value);

 private:
  LogLevel level_;
  std::FILE* out_;
  std::mutex mutex_;
};

}  // namespace schakel::server
