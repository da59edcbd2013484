#include "server/cli/progress.h"

#include <unistd.h>

#include <algorithm>

namespace schakel::server::cli {

std::string WithThousands(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

ProgressLine::ProgressLine(std::uint64_t total, bool enabled, std::FILE* out)
    : total_(total),
      enabled_(enabled),
      tty_(enabled && isatty(fileno(out)) == 1),
      out_(out),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

double ProgressLine::Seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressLine::Update(std::uint64_t done, std::uint64_t resources, std::uint64_t failed,
                          const std::string& item) {
  done_ = done;
  resources_ = resources;
  failed_ = failed;
  item_ = item;
  Draw(false);
}

void ProgressLine::ItemDone(const std::string& item, std::uint64_t resources,
                            std::uint64_t failed) {
  if (!enabled_ || tty_) return;
  std::fprintf(out_, "%s: %s resources%s\n", item.c_str(), WithThousands(resources).c_str(),
               failed > 0 ? (", " + WithThousands(failed) + " failed").c_str() : "");
  std::fflush(out_);
}

void ProgressLine::Message(const std::string& text) {
  if (tty_ && drawn_) std::fputs("\r\033[K", out_);
  std::fprintf(out_, "%s\n", text.c_str());
  if (tty_) Draw(true);
  std::fflush(out_);
}

void ProgressLine::Draw(bool force) {
  if (!tty_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  drawn_ = true;
  constexpr int kWidth = 24;
  const double fraction = total_ == 0 ? 1.0 : std::min(1.0, static_cast<double>(done_) / total_);
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(filled, '#');
  bar.append(kWidth - filled, '.');
  const double seconds = Seconds();
  const auto rate = static_cast<std::uint64_t>(seconds > 0 ? resources_ / seconds : 0);
  std::string item = item_;
  if (item.size() > 40) item = "..." + item.substr(item.size() - 37);
  std::fprintf(out_, "\r\033[K[%s] %3d%%  %s resources  %s/s", bar.c_str(),
               static_cast<int>(fraction * 100), WithThousands(resources_).c_str(),
               WithThousands(rate).c_str());
  if (failed_ > 0) std::fprintf(out_, "  %s failed", WithThousands(failed_).c_str());
  std::fprintf(out_, "  %s", item.c_str());
  std::fflush(out_);
}

void ProgressLine::Finish() {
  if (!tty_) return;
  Draw(true);
  std::fputc('\n', out_);
  std::fflush(out_);
}

}  // namespace schakel::server::cli
