#include "common/progress_meter.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace ahtrace {
namespace {

// "812", "12.3k", "4.2M": the precision a glance needs.
std::string Short(double n) {
  char buf[32];
  if (n >= 1e9)
    std::snprintf(buf, sizeof buf, "%.1fG", n / 1e9);
  else if (n >= 1e6)
    std::snprintf(buf, sizeof buf, "%.1fM", n / 1e6);
  else if (n >= 1e4)
    std::snprintf(buf, sizeof buf, "%.0fk", n / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f", n);
  return buf;
}

void WriteAll(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n <= 0) return;  // a terminal that went away: progress is not worth an error
    done += static_cast<size_t>(n);
  }
}

}  // namespace

ProgressMeter::ProgressMeter(std::string command, int fd) : command_(std::move(command)), fd_(fd) {
  enabled_ = ::isatty(fd_) == 1;
  if (const char* after = std::getenv("AHTRACE_PROGRESS_AFTER_MS")) delay_ = std::chrono::milliseconds(std::atoi(after));
  phase_start_ = Clock::now();
}

ProgressMeter::~ProgressMeter() { Clear(); }

void ProgressMeter::SetPhase(std::string phase) {
  Clear();
  phase_ = std::move(phase);
  phase_start_ = Clock::now();
}

std::string ProgressMeter::Line(const std::string& label, uint64_t events, uint64_t bytes_done,
                                uint64_t bytes_total, double seconds) {
  std::string line = label + ":";
  char buf[96];
  if (bytes_total > 0 && bytes_done <= bytes_total) {
    std::snprintf(buf, sizeof buf, " %d%% of %.0f MiB,", static_cast<int>(100.0 * bytes_done / bytes_total),
                  bytes_total / 1048576.0);
    line += buf;
  }
  line += " " + Short(static_cast<double>(events)) + " events";
  if (seconds > 0) line += ", " + Short(events / seconds) + " events/s";
  if (bytes_total > 0 && bytes_done > 0 && bytes_done <= bytes_total && seconds > 0) {
    double left = seconds * static_cast<double>(bytes_total - bytes_done) / static_cast<double>(bytes_done);
    std::snprintf(buf, sizeof buf, ", %.0f s left", left);
    line += buf;
  }
  return line;
}

void ProgressMeter::Update(uint64_t events, uint64_t bytes_done, uint64_t bytes_total) {
  if (!enabled_) return;
  Clock::time_point now = Clock::now();
  if (now - phase_start_ < delay_) return;
  if (shown_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  double seconds = std::chrono::duration<double>(now - phase_start_).count();
  std::string label = "ahtrace " + command_ + (phase_.empty() ? "" : " (" + phase_ + ")");
  // '\r' back to the start, the line, then erase what a longer line left.
  WriteAll(fd_, "\r" + Line(label, events, bytes_done, bytes_total, seconds) + "\x1b[K");
  shown_ = true;
}

void ProgressMeter::Clear() {
  if (!shown_) return;
  WriteAll(fd_, "\r\x1b[K");
  shown_ = false;
}

}  // namespace ahtrace
