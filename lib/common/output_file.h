// Outputs (databases, DOT, pictures, NDJSON, reports) are written to a
// temporary name beside the destination and renamed into place only when
// complete, so a failed or interrupted command never leaves a half-written
// file under the name the user asked for.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ahtrace {

// "<path>.tmp-<pid>": same directory, so the rename is atomic. Called when
// a command starts writing `path`, so it also removes what earlier commands
// killed mid-write left there (RemoveStaleTemporaries).
std::string TemporaryPathFor(const std::string& path);

// Removes the "<path>.tmp-<N>" files beside `path` whose process N no longer
// exists: a replay, convert or graph killed with SIGKILL (or by the OOM
// killer) leaves its temporary, up to tens of MB, and nothing else would
// ever remove it. Only that exact name pattern for that output; files of
// live processes are left alone.
void RemoveStaleTemporaries(const std::string& path);

// Refuses an output that would overwrite an input: the same file (also
// through a link), or a stream, failure marker or manifest inside an input
// trace directory (it would replace or join the trace's own files). "-"
// (stdout) is always fine.
// A usage error naming both paths; ok otherwise.
Status CheckOutputSparesInput(const std::string& output, const std::string& input);

// Renames `tmp` to `path`; on failure removes `tmp` and says why.
Status RenameIntoPlace(const std::string& tmp, const std::string& path);

// Ends an output streamed into `f`, which is stdout (when `output` is "-":
// flushed) or the temporary `tmp` (closed, then renamed to `output`). When
// producing it failed (`produced` not ok: returned as is) or writing it
// did (`write_errno`, the errno of the first failed write, or 0; or the
// close), `tmp` is removed and nothing is left under `output`.
Status FinishStreamedOutput(FILE* f, const std::string& tmp, const std::string& output, const Status& produced,
                            int write_errno);

// Writes `content` to `path` the safe way: to TemporaryPathFor(path), then
// renamed into place. An output error naming the path and why otherwise
// (ENOSPC says "disk full").
Status WriteOutputFile(const std::string& path, std::string_view content);

}  // namespace ahtrace
