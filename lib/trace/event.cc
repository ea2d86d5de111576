#include "trace/event.h"

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

const char* EventKindName(EventKind kind) {
  for (const auto& k : kKindNames)
    if (k.kind == kind) return k.name;
  return nullptr;
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
