// CompileRuleGroups and LoadAndCompileRules: PromQL parsing of loaded rule files, with parser
// errors placed at their file position.
#include <charconv>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "collector/rules/engine/expr_position.h"
#include "collector/rules/engine/rule_engine.h"
#include "collector/rules/promql/parser.h"
#include "collector/rules/rule_file/rule_file_loader.h"

namespace vigil::rules {
namespace {

// The rule file's text, read once per file for error positions; empty when it cannot be read
// (groups parsed from text under a made-up name), which makes MapExprOffset fall back.
class SourceCache {
 public:
  std::string_view Get(const std::string& file) {
    auto it = texts_.find(file);
    if (it != texts_.end()) return it->second;
    std::ifstream in(file, std::ios::binary);
    std::string text;
    if (in) {
      std::ostringstream ss;
      ss << in.rdbuf();
      text = ss.str();
    }
    return texts_.emplace(file, std::move(text)).first->second;
  }

 private:
  std::unordered_map<std::string, std::string> texts_;
};

// Splits the parser's "line:col: message" into its parts; false when it has no such prefix.
bool SplitPosition(const std::string& msg, int* line, int* column, std::string* rest) {
  const char* p = msg.data();
  const char* end = p + msg.size();
  auto [p1, e1] = std::from_chars(p, end, *line);
  if (e1 != std::errc() || p1 == end || *p1 != ':') return false;
  auto [p2, e2] = std::from_chars(p1 + 1, end, *column);
  if (e2 != std::errc() || end - p2 < 2 || p2[0] != ':' || p2[1] != ' ') return false;
  *rest = std::string(p2 + 2, end);
  return true;
}

std::string Describe(const Rule& rule) {
  return (rule.kind == Rule::Kind::kAlerting ? "alert \"" : "recording rule \"") + rule.name + "\"";
}

Status ErrAt(const SourcePosition& pos, const std::string& what) {
  return Status::InvalidArgument(pos.ToString() + ": " + what);
}

Result<CompiledRule> CompileRule(Rule rule, SourceCache& sources) {
  if (rule.kind == Rule::Kind::kRecording && !IsValidMetricName(rule.name)) {
    return ErrAt(rule.pos, "record name \"" + rule.name + "\" is not a valid metric name");
  }
  if (rule.kind == Rule::Kind::kAlerting && rule.name.empty()) {
    return ErrAt(rule.pos, "alert name must not be empty");
  }
  Result<promql::ExprPtr> expr = promql::ParseExpr(rule.expr);
  if (!expr.ok()) {
    const std::string& msg = expr.status().message();
    int line = 0, column = 0;
    std::string rest;
    if (!SplitPosition(msg, &line, &column, &rest)) {
      return ErrAt(rule.expr_pos, Describe(rule) + ": " + msg);
    }
    size_t offset = OffsetOfLineColumn(rule.expr, line, column);
    SourcePosition at =
        MapExprOffset(sources.Get(rule.expr_pos.file), rule.expr_pos, rule.expr, offset);
    return ErrAt(at, Describe(rule) + ": " + rest);
  }
  // Prometheus only notices this when the rule first runs; a rule that can never produce
  // alerts or series is better refused at load.
  promql::ValueType type = promql::TypeOf(**expr);
  if (type != promql::ValueType::kInstantVector && type != promql::ValueType::kScalar) {
    SourcePosition at =
        MapExprOffset(sources.Get(rule.expr_pos.file), rule.expr_pos, rule.expr, (*expr)->pos);
    return ErrAt(at, Describe(rule) +
                         ": expression must evaluate to an instant vector or a "
                         "scalar, not a " +
                         std::string(promql::ValueTypeName(type)));
  }
  CompiledRule out;
  out.rule = std::move(rule);
  out.expr = std::move(*expr);
  return out;
}

}  // namespace

Result<std::vector<CompiledGroup>> CompileRuleGroups(std::vector<RuleGroup> groups,
                                                     std::chrono::milliseconds default_interval) {
  SourceCache sources;
  std::vector<CompiledGroup> out;
  out.reserve(groups.size());
  for (RuleGroup& g : groups) {
    CompiledGroup cg;
    cg.name = std::move(g.name);
    cg.pos = std::move(g.pos);
    // As in Prometheus, `interval: 0s` means the global interval.
    cg.interval = g.interval && g.interval->count() > 0 ? *g.interval : default_interval;
    cg.limit = g.limit;
    cg.rules.reserve(g.rules.size());
    for (Rule& r : g.rules) {
      Result<CompiledRule> cr = CompileRule(std::move(r), sources);
      if (!cr.ok()) return cr.status();
      cg.rules.push_back(std::move(*cr));
    }
    out.push_back(std::move(cg));
  }
  return out;
}

Result<std::vector<CompiledGroup>> LoadAndCompileRules(const std::vector<std::string>& paths,
                                                       std::chrono::milliseconds default_interval) {
  Result<std::vector<RuleGroup>> groups = LoadRuleFiles(paths);
  if (!groups.ok()) return groups.status();
  return CompileRuleGroups(std::move(*groups), default_interval);
}

}  // namespace vigil::rules
