#include "collector/rules/rule_file/rule_file_loader.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
#include <functional>
#include <set>
#include <unordered_map>

#include "collector/rules/promql/duration.h"
#include "core/config/yaml_document.h"

namespace vigil::rules {
namespace {

// Walks one document. yaml-cpp reports null nodes without a position, so every lookup carries
// the nearest enclosing position as a fallback.
class RuleFileParser {
 public:
  explicit RuleFileParser(std::string file) : file_(std::move(file)) {}

  Result<std::vector<RuleGroup>> Parse(const YAML::Node& root) {
    std::vector<RuleGroup> groups;
    if (root.IsNull()) return groups;  // an empty file holds no groups, as in Prometheus
    if (!root.IsMap()) return Err(root, Fallback(), "rule file must be a mapping with \"groups\"");
    YAML::Node list;
    VIGIL_RETURN_IF_ERROR(ForEachField(root, Fallback(), "at top level", {"groups"},
                                       [&](const std::string&, const YAML::Node& v) {
                                         list = v;
                                         return Status::Ok();
                                       }));
    if (!list || list.IsNull()) return groups;
    if (!list.IsSequence()) return Err(list, Fallback(), "\"groups\" must be a list");
    std::unordered_map<std::string, int> seen;  // group name -> line
    for (const YAML::Node& g : list) {
      Result<RuleGroup> group = ParseGroup(g, Pos(list, Fallback()));
      if (!group.ok()) return group.status();
      auto [it, fresh] = seen.emplace(group->name, group->pos.line);
      if (!fresh) {
        return Status::InvalidArgument(group->pos.ToString() + ": group \"" + group->name +
                                       "\" is repeated in the same file (first at line " +
                                       std::to_string(it->second) + ")");
      }
      groups.push_back(std::move(*group));
    }
    return groups;
  }

 private:
  using FieldFn = std::function<Status(const std::string&, const YAML::Node&)>;

  SourcePosition Fallback() const { return {file_, 1, 1}; }

  SourcePosition Pos(const YAML::Node& n, const SourcePosition& fallback) const {
    YAML::Mark m = n.Mark();
    if (m.is_null()) return fallback;
    return {file_, m.line + 1, m.column + 1};
  }

  Status Err(const YAML::Node& n, const SourcePosition& fallback, const std::string& what) const {
    return Status::InvalidArgument(Pos(n, fallback).ToString() + ": " + what);
  }
  static Status ErrAt(const SourcePosition& pos, const std::string& what) {
    return Status::InvalidArgument(pos.ToString() + ": " + what);
  }

  // Calls `fn` for each key of a mapping, rejecting unknown and repeated keys at their line.
  Status ForEachField(const YAML::Node& map, const SourcePosition& fallback,
                      const std::string& where, const std::vector<std::string>& allowed,
                      const FieldFn& fn) const {
    std::unordered_map<std::string, int> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      SourcePosition kpos = Pos(it->first, fallback);
      if (!it->first.IsScalar()) return ErrAt(kpos, "field names must be strings " + where);
      std::string key = it->first.Scalar();
      bool known = false;
      for (const std::string& a : allowed) known = known || a == key;
      if (!known) {
        std::string list;
        for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
        return ErrAt(kpos, "unknown field \"" + key + "\" " + where + " (expected " + list + ")");
      }
      auto [prev, fresh] = seen.emplace(key, kpos.line);
      if (!fresh) {
        return ErrAt(kpos, "field \"" + key + "\" is repeated " + where + " (first at line " +
                               std::to_string(prev->second) + ")");
      }
      VIGIL_RETURN_IF_ERROR(fn(key, it->second));
    }
    return Status::Ok();
  }

  Result<std::string> Scalar(const YAML::Node& n, const SourcePosition& fallback,
                             const std::string& what) const {
    if (n.IsNull()) return std::string();
    if (!n.IsScalar()) return Err(n, fallback, what + " must be a string");
    return n.Scalar();
  }

  Result<RuleGroup> ParseGroup(const YAML::Node& g, const SourcePosition& list_pos) {
    SourcePosition gpos = Pos(g, list_pos);
    if (!g.IsMap()) return ErrAt(gpos, "each group must be a mapping");
    RuleGroup group;
    group.pos = gpos;
    bool has_name = false;
    YAML::Node interval, limit, rules;
    VIGIL_RETURN_IF_ERROR(ForEachField(g, gpos, "in group", {"name", "interval", "limit", "rules"},
                                       [&](const std::string& key, const YAML::Node& v) -> Status {
                                         if (key == "name") {
                                           Result<std::string> s =
                                               Scalar(v, gpos, "group \"name\"");
                                           if (!s.ok()) return s.status();
                                           group.name = *s;
                                           has_name = true;
                                         } else if (key == "interval") {
                                           interval = v;
                                         } else if (key == "limit") {
                                           limit = v;
                                         } else {
                                           rules = v;
                                         }
                                         return Status::Ok();
                                       }));
    if (!has_name) return ErrAt(gpos, "group has no \"name\"");
    if (group.name.empty()) return ErrAt(gpos, "group name must not be empty");
    std::string where = "group \"" + group.name + "\": ";
    if (interval && !interval.IsNull()) {
      Result<std::string> s = Scalar(interval, gpos, where + "interval");
      if (!s.ok()) return s.status();
      Result<std::chrono::milliseconds> d = promql::ParseDuration(*s);
      if (!d.ok()) return Err(interval, gpos, where + "interval: " + d.status().message());
      group.interval = *d;
    }
    if (limit && !limit.IsNull()) {
      Result<std::string> s = Scalar(limit, gpos, where + "limit");
      if (!s.ok()) return s.status();
      const char* end = s->data() + s->size();
      auto [p, ec] = std::from_chars(s->data(), end, group.limit);
      if (ec != std::errc() || p != end || group.limit < 0) {
        return Err(limit, gpos, where + "limit must be a non-negative integer, got \"" + *s + "\"");
      }
    }
    if (rules && !rules.IsNull()) {
      if (!rules.IsSequence()) return Err(rules, gpos, where + "\"rules\" must be a list");
      for (const YAML::Node& r : rules) {
        Result<Rule> rule = ParseRule(r, Pos(rules, gpos));
        if (!rule.ok()) return rule.status();
        group.rules.push_back(std::move(*rule));
      }
    }
    return group;
  }

  Result<Rule> ParseRule(const YAML::Node& r, const SourcePosition& list_pos) {
    SourcePosition rpos = Pos(r, list_pos);
    if (!r.IsMap()) return ErrAt(rpos, "each rule must be a mapping");
    Rule rule;
    rule.pos = rpos;
    std::map<std::string, YAML::Node> fields;
    VIGIL_RETURN_IF_ERROR(
        ForEachField(r, rpos, "in rule",
                     {"alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"},
                     [&](const std::string& key, const YAML::Node& v) {
                       fields[key] = v;
                       return Status::Ok();
                     }));
    bool is_alert = fields.count("alert") > 0, is_record = fields.count("record") > 0;
    if (is_alert && is_record) {
      return ErrAt(rpos, "rule has both \"alert\" and \"record\"; exactly one is allowed");
    }
    if (!is_alert && !is_record) return ErrAt(rpos, "rule needs one of \"alert\" or \"record\"");
    rule.kind = is_alert ? Rule::Kind::kAlerting : Rule::Kind::kRecording;
    const YAML::Node& name_node = fields[is_alert ? "alert" : "record"];
    Result<std::string> name = Scalar(name_node, rpos, is_alert ? "\"alert\"" : "\"record\"");
    if (!name.ok()) return name.status();
    rule.name = *name;
    if (is_alert && rule.name.empty()) return ErrAt(rpos, "alert name must not be empty");
    if (!is_alert && !IsValidMetricName(rule.name)) {
      return Err(name_node, rpos, "record name \"" + rule.name + "\" is not a valid metric name");
    }
    std::string what = (is_alert ? "alert \"" : "recording rule \"") + rule.name + "\"";
    auto expr = fields.find("expr");
    if (expr == fields.end()) return ErrAt(rpos, what + " has no \"expr\"");
    Result<std::string> expr_text = Scalar(expr->second, rpos, what + ": expr");
    if (!expr_text.ok()) return expr_text.status();
    rule.expr = *expr_text;
    rule.expr_pos = Pos(expr->second, rpos);
    if (rule.expr.empty()) return ErrAt(rule.expr_pos, what + ": expr must not be empty");
    if (!is_alert) {
      for (const char* alert_only : {"for", "keep_firing_for", "annotations"}) {
        if (fields.count(alert_only)) {
          return Err(fields[alert_only], rpos, what + " cannot have \"" + alert_only + "\"");
        }
      }
    }
    for (auto [key, out] : {std::pair{"for", &rule.for_duration},
                            std::pair{"keep_firing_for", &rule.keep_firing_for}}) {
      auto f = fields.find(key);
      if (f == fields.end() || f->second.IsNull()) continue;
      Result<std::string> s = Scalar(f->second, rpos, what + ": " + key);
      if (!s.ok()) return s.status();
      Result<std::chrono::milliseconds> d = promql::ParseDuration(*s);
      if (!d.ok()) return Err(f->second, rpos, what + ": " + key + ": " + d.status().message());
      *out = *d;
    }
    if (auto f = fields.find("labels"); f != fields.end()) {
      VIGIL_RETURN_IF_ERROR(ParseValues(f->second, rpos, what, "label", is_alert, &rule.labels));
    }
    if (auto f = fields.find("annotations"); f != fields.end()) {
      VIGIL_RETURN_IF_ERROR(
          ParseValues(f->second, rpos, what, "annotation", true, &rule.annotations));
    }
    return rule;
  }

  // Labels or annotations: a mapping of valid label names to strings, templated for alerts.
  Status ParseValues(const YAML::Node& map, const SourcePosition& rpos, const std::string& what,
                     const std::string& kind, bool templated,
                     std::map<std::string, TemplatedValue>* out) const {
    if (map.IsNull()) return Status::Ok();
    if (!map.IsMap()) {
      return Err(map, rpos, what + ": " + kind + "s must be a mapping of names to strings");
    }
    return ParseValueEntries(map, rpos, what, kind, templated, out);
  }

  Status ParseValueEntries(const YAML::Node& map, const SourcePosition& rpos,
                           const std::string& what, const std::string& kind, bool templated,
                           std::map<std::string, TemplatedValue>* out) const {
    for (auto it = map.begin(); it != map.end(); ++it) {
      SourcePosition kpos = Pos(it->first, rpos);
      if (!it->first.IsScalar()) return ErrAt(kpos, what + ": " + kind + " names must be strings");
      std::string name = it->first.Scalar();
      if (!IsValidLabelName(name)) {
        return ErrAt(kpos, what + ": invalid " + kind + " name \"" + name + "\"");
      }
      if (name.size() >= 2 && name[0] == '_' && name[1] == '_') {
        return ErrAt(kpos, what + ": " + kind + " name \"" + name +
                               "\" is reserved (names starting with \"__\" are internal)");
      }
      if (out->count(name)) {
        return ErrAt(kpos, what + ": " + kind + " \"" + name + "\" is repeated");
      }
      TemplatedValue value;
      value.pos = Pos(it->second, kpos);
      Result<std::string> text = Scalar(it->second, kpos, what + ": " + kind + " \"" + name + "\"");
      if (!text.ok()) return text.status();
      value.text = *text;
      if (templated) {
        Result<Template> t = ParseTemplate(value.text);
        if (!t.ok()) {
          return ErrAt(value.pos,
                       what + ": " + kind + " \"" + name + "\": template: " + t.status().message());
        }
        value.tmpl = std::move(*t);
      } else {
        value.tmpl.source = value.text;
        value.tmpl.nodes.push_back(TemplateNode{false, value.text, {}});
      }
      out->emplace(name, std::move(value));
    }
    return Status::Ok();
  }

  std::string file_;
};

Result<std::vector<RuleGroup>> ParseDocument(const Result<YAML::Node>& doc, std::string name) {
  if (!doc.ok()) return doc.status();
  try {
    return RuleFileParser(std::move(name)).Parse(*doc);
  } catch (const YAML::Exception& e) {
    // Conversions inside yaml-cpp can still throw on odd documents; keep it a Status.
    return Status::InvalidArgument(name + ": invalid rule file: " + e.msg);
  }
}

}  // namespace

bool IsValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
              (i > 0 && std::isdigit(static_cast<unsigned char>(c)));
    if (!ok || static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
              (i > 0 && std::isdigit(static_cast<unsigned char>(c)));
    if (!ok || static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

Result<std::vector<RuleGroup>> ParseRuleText(std::string_view yaml, std::string name) {
  return ParseDocument(config::ParseYamlText(std::string(yaml), name), name);
}

Result<std::vector<RuleGroup>> LoadRuleFiles(const std::vector<std::string>& paths) {
  std::vector<RuleGroup> all;
  std::unordered_map<std::string, SourcePosition> seen;
  for (const std::string& path : paths) {
    Result<std::vector<RuleGroup>> groups = ParseDocument(config::ParseYamlFile(path), path);
    if (!groups.ok()) return groups.status();
    for (RuleGroup& g : *groups) {
      auto [it, fresh] = seen.emplace(g.name, g.pos);
      if (!fresh) {
        return Status::InvalidArgument(g.pos.ToString() + ": group \"" + g.name +
                                       "\" is already defined at " + it->second.ToString());
      }
      all.push_back(std::move(g));
    }
  }
  return all;
}

}  // namespace vigil::rules
