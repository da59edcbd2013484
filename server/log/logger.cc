#include "server/log/logger.h"

#include <chrono>

#include "fhir/primitives/date_time.h"

namespace schakel::server {

std::optional<LogLevel> ParseLogLevel(std::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "info") return LogLevel::kInfo;
  if (name == "warn" || name == "warning") return LogLevel::kWarn;
  if (name == "error") return LogLevel::kError;
  return std::nullopt;
}

Logger::Logger(LogLevel level, std::FILE* out) : level_(level), out_(out) {}

void Logger::AppendField(std::string& line, std::string_view key, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  line += ' ';
  line += key;
  line += '=';
  bool quote = value.empty();
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20 ||
        c == 0x7f) {
      quote = true;
      break;
    }
  }
  if (!quote) {
    line += value;
    return;
  }
  line += '"';
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      line += '\\';
      line += c;
    } else if (c == '\n') {
      line += "\\n";
    } else if (u < 0x20 || u == 0x7f) {
      line += "\\x";
      line += kHex[u >> 4];
      line += kHex[u & 0xf];
    } else {
      line += c;
    }
  }
  line += '"';
}

void Logger::Log(LogLevel level, std::string_view event, const std::vector<LogField>& fields) {
  if (!Enabled(level)) return;
  static constexpr std::string_view kNames[] = {"debug", "info", "warn", "error"};
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  std::string line = "ts=" + fhir::FormatInstant(now);
  AppendField(line, "level", kNames[static_cast<int>(level)]);
  AppendField(line, "event", event);
  for (const LogField& f : fields) AppendField(line, f.key, f.value);
  line += '\n';
  std::lock_guard<std::mutex> lock(mutex_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace schakel::server
