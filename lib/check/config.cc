#include "check/config.h"

#include <fstream>
#include <sstream>

namespace ahtrace::check {

Status LoadAllowList(const std::string& path, std::set<std::string>* out) {
  std::ifstream in(path);
  if (!in) return UsageError(path + ": cannot read the --allow file");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_object() && j.contains("findings") && j["findings"].is_array()) {
    for (const auto& f : j["findings"])
      if (f.is_object() && f.contains("fingerprint") && f["fingerprint"].is_string())
        out->insert(f["fingerprint"].get<std::string>());
    return Status::Ok();
  }
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    line = line.substr(0, line.find('#'));
    size_t b = line.find_first_not_of(" \t\r"), e = line.find_last_not_of(" \t\r");
    if (b != std::string::npos) out->insert(line.substr(b, e - b + 1));
  }
  return Status::Ok();
}

Status LoadConfig(const std::string& path, CheckOptions* o) {
  std::ifstream in(path);
  if (!in) return UsageError(path + ": cannot read the config file");
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (!j.is_object()) return UsageError(path + ": not a JSON object");
  auto strings = [&](const char* key, auto&& add) -> Status {
    if (!j.contains(key)) return Status::Ok();
    if (!j[key].is_array()) return UsageError(path + ": \"" + key + "\" must be an array of strings");
    for (const auto& v : j[key]) {
      if (!v.is_string()) return UsageError(path + ": \"" + key + "\" must be an array of strings");
      add(v.get<std::string>());
    }
    return Status::Ok();
  };
  Status st = strings("expectStore", [&](std::string s) { o->expect_store.push_back(std::move(s)); });
  if (!st.ok()) return st;
  st = strings("allow", [&](std::string s) { o->allow.insert(std::move(s)); });
  if (!st.ok()) return st;
  for (const char* key : {"leaks", "hookRules", "mismatches", "context"}) {
    if (!j.contains(key)) continue;
    if (!j[key].is_boolean()) return UsageError(path + ": \"" + key + "\" must be true or false");
    bool v = j[key].get<bool>();
    if (std::string(key) == "leaks") o->leaks = v;
    if (std::string(key) == "hookRules") o->hook_rules = v;
    if (std::string(key) == "mismatches") o->mismatches = v;
    if (std::string(key) == "context") o->context = v;
  }
  return Status::Ok();
}

}  // namespace ahtrace::check
