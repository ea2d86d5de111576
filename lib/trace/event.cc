#include "trace/event.h"

#include <array>
#include <cstdint>

namespace ahtrace {
namespace {
struct KindName {
  EventKind kind;
  const char* name;
};
constexpr KindName kKindNames[] = {
    {EventKind::kInit, "init"},
    {EventKind::kBefore, "before"},
    {EventKind::kAfter, "after"},
    {EventKind::kDestroy, "destroy"},
    {EventKind::kPromiseResolve, "promiseResolve"},
    {EventKind::kString, "string"},
    {EventKind::kStore, "store"},
    {EventKind::kSource, "source"},
    {EventKind::kFunctions, "functions"},
    {EventKind::kAlsCreate, "alsCreate"},
    {EventKind::kAlsRunBegin, "alsRunBegin"},
    {EventKind::kAlsRunEnd, "alsRunEnd"},
    {EventKind::kAlsEnterWith, "alsEnterWith"},
    {EventKind::kAlsExitBegin, "alsExitBegin"},
    {EventKind::kAlsExitEnd, "alsExitEnd"},
    {EventKind::kAlsDisable, "alsDisable"},
    {EventKind::kAlsGetStore, "alsGetStore"},
    {EventKind::kAlsExpect, "alsExpect"},
    {EventKind::kListenerAdd, "listenerAdd"},
    {EventKind::kEmitBegin, "emitBegin"},
    {EventKind::kEmitEnd, "emitEnd"},
    {EventKind::kProcessEmitBegin, "processEmitBegin"},
    {EventKind::kProcessEmitEnd, "processEmitEnd"},
    {EventKind::kStreamEnd, "streamEnd"},
};
}  // namespace

// By table: the binary reader names every record's kind (a scan of the
// list per record was 2% of reading). Every kind number is below 64.
const char* EventKindName(EventKind kind) {
  static const std::array<const char*, 64> names = [] {
    std::array<const char*, 64> table{};
    for (const auto& k : kKindNames) table[static_cast<uint32_t>(k.kind)] = k.name;
    return table;
  }();
  auto index = static_cast<uint32_t>(kind);
  return index < names.size() ? names[index] : nullptr;
}

bool EventKindFromName(std::string_view name, EventKind* out) {
  for (const auto& k : kKindNames) {
    if (name == k.name) {
      *out = k.kind;
      return true;
    }
  }
  return false;
}

}  // namespace ahtrace
