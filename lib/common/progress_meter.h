// A one-line progress meter for long reads (ninja and cmake style): on a
// terminal, once the work has taken about a second, stderr shows
//
//   ahtrace replay: 42% of 577 MiB, 4.2M events, 693k events/s, 8 s left
//
// rewritten in place with '\r' and cleared when reading ends. When the
// stream is not a terminal (a pipe, a file, CI logs) it prints nothing at
// all, so scripted output and captured stderr stay exactly as before.
//
// Readers drive it (TraceReader::set_progress): they know how many bytes
// of input they have consumed out of how many. Commands that read a trace
// twice (export: check, then write) name each pass with SetPhase().
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace ahtrace {

class ProgressMeter {
 public:
  // `command` names the line ("replay"); `fd` is where it draws (stderr).
  // Enabled only when `fd` is a terminal. AHTRACE_PROGRESS_AFTER_MS in the
  // environment replaces the one-second delay (tests set it to 0).
  explicit ProgressMeter(std::string command, int fd = 2);
  ~ProgressMeter();
  ProgressMeter(const ProgressMeter&) = delete;
  ProgressMeter& operator=(const ProgressMeter&) = delete;

  bool enabled() const { return enabled_; }

  // Starts a new pass: the rate and the time left restart from here.
  void SetPhase(std::string phase);

  // `events` read so far in this pass, `bytes_done` of `bytes_total` input
  // bytes (total 0: unknown, then no percentage or time left). Cheap when
  // nothing is drawn: callers may call it every few thousand events.
  void Update(uint64_t events, uint64_t bytes_done, uint64_t bytes_total);

  // Erases the line if one is shown (at the end of a pass, and before
  // anything else is printed on the same terminal).
  void Clear();

  // The text of the line for these figures (no '\r'), for tests.
  static std::string Line(const std::string& label, uint64_t events, uint64_t bytes_done, uint64_t bytes_total,
                          double seconds);

 private:
  using Clock = std::chrono::steady_clock;
  std::string command_, phase_;
  int fd_;
  bool enabled_ = false;
  bool shown_ = false;
  std::chrono::milliseconds delay_{1000};
  Clock::time_point phase_start_, last_draw_;
};

}  // namespace ahtrace
