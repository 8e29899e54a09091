// CallFunction: looks the name up in a dispatch table built once from every function_*.cc unit,
// runs the implementation, then applies the check Prometheus's engine makes on every function
// result: no two output samples may share a labelset (dropping __name__ can merge series).
#include <algorithm>
#include <string>

#include "collector/rules/eval/function_impl.h"

namespace vigil::eval {
namespace fn {

const std::vector<FloatPoint>& LiveFloats(const Series& s, std::vector<FloatPoint>& buf) {
  const bool any_stale = std::any_of(s.floats.begin(), s.floats.end(),
                                     [](const FloatPoint& p) { return IsStaleNaN(p.v); });
  if (!any_stale) return s.floats;
  buf.clear();
  for (const FloatPoint& p : s.floats) {
    if (!IsStaleNaN(p.v)) buf.push_back(p);
  }
  return buf;
}

namespace {

const FunctionMap& Table() {
  static const FunctionMap table = [] {
    FunctionMap m;
    RegisterRateFunctions(m);
    RegisterOverTimeFunctions(m);
    RegisterHistogramFunctions(m);
    RegisterMathFunctions(m);
    RegisterMiscFunctions(m);
    return m;
  }();
  return table;
}

}  // namespace
}  // namespace fn

Result<Value> CallFunction(std::string_view name, std::vector<Value>& args,
                           const FunctionContext& ctx) {
  const auto it = fn::Table().find(name);
  if (it == fn::Table().end()) {
    return Status::Unimplemented("function \"" + std::string(name) + "\" is not supported");
  }
  Result<Value> out = it->second(args, ctx);
  if (!out.ok()) return out;
  if (const Vector* v = std::get_if<Vector>(&out.value()); v && HasDuplicateLabelsets(*v)) {
    return Status::InvalidArgument("vector cannot contain metrics with the same labelset");
  }
  return out;
}

}  // namespace vigil::eval
