// JsonPath: the location of a value inside a JSON document ("resourceSpans[0].scopeSpans[1]"),
// kept as a chain of stack frames while descending so that nothing is formatted unless an error
// is reported. Frames borrow their keys and live on the caller's stack; not shared.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::otlp {

struct JsonPath {
  const JsonPath* parent = nullptr;
  std::string_view key;  // the object key of this step, or empty for an array element
  int64_t index = -1;    // the array index of this step, or -1 for an object key

  JsonPath Key(std::string_view k) const { return JsonPath{this, k, -1}; }
  JsonPath Index(int64_t i) const { return JsonPath{this, {}, i}; }

  // "a.b[3].c"; the root frame (no key, no index) prints as nothing.
  std::string ToString() const {
    std::vector<const JsonPath*> steps;
    for (const JsonPath* p = this; p != nullptr; p = p->parent) steps.push_back(p);
    std::string out;
    for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
      const JsonPath* p = *it;
      if (p->index >= 0) {
        out += '[';
        out += std::to_string(p->index);
        out += ']';
      } else if (!p->key.empty()) {
        if (!out.empty()) out += '.';
        out += p->key;
      }
    }
    return out;
  }

  // "<path>: <problem>", or "top level: <problem>" at the root.
  std::string Message(std::string_view problem) const {
    std::string path = ToString();
    if (path.empty()) path = "top level";
    path += ": ";
    path += problem;
    return path;
  }
};

}  // namespace vigil::otlp
