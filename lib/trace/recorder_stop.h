// Reading recorder-failure markers beyond what ListRecorderFailures parses.
//
// A marker (p<pid>-t<thread>.failed) beside a stream of the same process and
// thread means the recorder stopped there part-way (a write failed, or a
// bug): the stream ends without its end record because of that, not
// because the process was killed. A failed system call's errno name is in
// the marker's name too (p<pid>-t<thread>.ENOSPC.failed): on a full disk
// the recorder can create the marker but not write a byte into it, and the
// name alone must then say what happened.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trace/reader.h"

namespace ahtrace {

// "ENOSPC" for p12-t0.ENOSPC.failed; empty for a marker without a code.
std::string RecorderFailureCode(const RecorderFailure& failure);

// What the marker says; for a marker the full disk left empty, what its
// name says ("the recorder stopped: disk full (ENOSPC) ...").
std::string RecorderFailureReason(const RecorderFailure& failure);

// The marker of the process and thread `pid`/`thread`, or nullptr.
const RecorderFailure* FindRecorderFailure(const std::vector<RecorderFailure>& failures, int64_t pid,
                                           int64_t thread);

// True when the code says the storage filled up (ENOSPC, EDQUOT).
bool IsDiskFullCode(const std::string& code);

}  // namespace ahtrace
