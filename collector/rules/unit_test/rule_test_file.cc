#include "collector/rules/unit_test/rule_test_file.h"

#include <glob.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>
#include <unordered_set>
#include <utility>

#include "collector/rules/promql/duration.h"
#include "core/config/yaml_document.h"

namespace vigil::rules {
namespace {

using FieldFn = std::function<Status(const std::string& key, const YAML::Node& value)>;

class TestFileParser {
 public:
  explicit TestFileParser(std::string path) : path_(std::move(path)) {}

  Result<RuleTestFile> Parse(const YAML::Node& root) {
    RuleTestFile file;
    file.path = path_;
    if (!root.IsDefined() || root.IsNull()) return file;  // empty file: nothing to test
    if (!root.IsMap()) return Err(root, "the test file must be a mapping");
    std::vector<std::string> patterns;
    VIGIL_RETURN_IF_ERROR(
        ForEachField(root, "in the test file",
                     {"rule_files", "evaluation_interval", "group_eval_order", "tests"},
                     [&](const std::string& key, const YAML::Node& v) -> Status {
                       if (key == "rule_files") return Strings(v, key, patterns);
                       if (key == "evaluation_interval")
                         return Duration(v, key, file.evaluation_interval);
                       if (key == "group_eval_order") return GroupOrder(v, file.group_eval_order);
                       return Sequence(v, key, [&](const YAML::Node& item) -> Status {
                         Result<TestGroup> group = ParseGroup(item);
                         if (!group.ok()) return group.status();
                         file.tests.push_back(std::move(*group));
                         return Status::Ok();
                       });
                     }));
    if (file.evaluation_interval.count() == 0) file.evaluation_interval = std::chrono::minutes(1);
    for (TestGroup& g : file.tests) {
      if (g.interval.count() == 0) g.interval = file.evaluation_interval;
    }
    ResolveRuleFiles(patterns, file);
    return file;
  }

 private:
  SourcePosition Pos(const YAML::Node& n) const {
    YAML::Mark m = n.Mark();
    if (m.is_null()) return {path_, 1, 1};
    return {path_, m.line + 1, m.column + 1};
  }
  Status Err(const YAML::Node& n, const std::string& what) const {
    return Status::InvalidArgument(Pos(n).ToString() + ": " + what);
  }
  static Status ErrAt(const SourcePosition& pos, const std::string& what) {
    return Status::InvalidArgument(pos.ToString() + ": " + what);
  }

  // The position of byte `offset` inside a one-line scalar (quoted scalars start one column
  // later than their node).
  SourcePosition PosInScalar(const YAML::Node& n, size_t offset) const {
    SourcePosition p = Pos(n);
    p.column += static_cast<int>(offset) + (n.Tag() == "!" ? 1 : 0);
    return p;
  }

  Status ForEachField(const YAML::Node& map, const std::string& where,
                      const std::vector<std::string>& allowed, const FieldFn& fn) const {
    std::unordered_set<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (!it->first.IsScalar()) return Err(it->first, "field names must be strings " + where);
      std::string key = it->first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string list;
        for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
        return Err(it->first,
                   "unknown field \"" + key + "\" " + where + " (expected " + list + ")");
      }
      if (!seen.insert(key).second) {
        return Err(it->first, "field \"" + key + "\" is repeated " + where);
      }
      VIGIL_RETURN_IF_ERROR(fn(key, it->second));
    }
    return Status::Ok();
  }

  Status Sequence(const YAML::Node& n, const std::string& what,
                  const std::function<Status(const YAML::Node&)>& fn) const {
    if (n.IsNull()) return Status::Ok();
    if (!n.IsSequence()) return Err(n, what + " must be a list");
    for (const YAML::Node& item : n) VIGIL_RETURN_IF_ERROR(fn(item));
    return Status::Ok();
  }

  Status Map(const YAML::Node& n, const std::string& what, const std::string& where,
             const std::function<Status(const YAML::Node&)>& fn) const {
    if (n.IsNull()) return Status::Ok();
    if (!n.IsMap()) return Err(n, what + " must be a mapping " + where);
    return fn(n);
  }

  Status String(const YAML::Node& n, const std::string& what, std::string& out) const {
    if (n.IsNull()) return Status::Ok();
    if (!n.IsScalar()) return Err(n, what + " must be a string");
    out = n.Scalar();
    return Status::Ok();
  }

  Status Strings(const YAML::Node& n, const std::string& what, std::vector<std::string>& out) {
    return Sequence(n, what, [&](const YAML::Node& item) -> Status {
      std::string s;
      VIGIL_RETURN_IF_ERROR(String(item, what + " items", s));
      out.push_back(std::move(s));
      return Status::Ok();
    });
  }

  Status Duration(const YAML::Node& n, const std::string& what, std::chrono::milliseconds& out) {
    if (n.IsNull()) return Status::Ok();
    if (!n.IsScalar()) return Err(n, what + " must be a duration such as 1m");
    Result<std::chrono::milliseconds> d = promql::ParseDuration(n.Scalar());
    if (!d.ok()) return Err(n, what + ": " + d.status().message());
    out = *d;
    return Status::Ok();
  }

  // A mapping of label names to values, sorted by name.
  Status LabelMap(const YAML::Node& n, const std::string& what, eval::Labels& out) {
    return Map(n, what, "of names to values", [&](const YAML::Node& m) -> Status {
      for (auto it = m.begin(); it != m.end(); ++it) {
        std::string name, value;
        VIGIL_RETURN_IF_ERROR(String(it->first, what + " names", name));
        VIGIL_RETURN_IF_ERROR(String(it->second, what + " values", value));
        if (std::any_of(out.begin(), out.end(), [&](const auto& l) { return l.first == name; })) {
          return Err(it->first, what + ": \"" + name + "\" is given twice");
        }
        out.emplace_back(std::move(name), std::move(value));
      }
      std::sort(out.begin(), out.end());
      return Status::Ok();
    });
  }

  Status GroupOrder(const YAML::Node& n, std::vector<std::string>& out) {
    return Sequence(n, "group_eval_order", [&](const YAML::Node& item) -> Status {
      std::string name;
      VIGIL_RETURN_IF_ERROR(String(item, "group_eval_order items", name));
      if (std::find(out.begin(), out.end(), name) != out.end()) {
        return Err(item, "group name repeated in evaluation order: " + name);
      }
      out.push_back(std::move(name));
      return Status::Ok();
    });
  }

  Result<TestGroup> ParseGroup(const YAML::Node& n) {
    TestGroup g;
    g.pos = Pos(n);
    if (!n.IsMap()) return Err(n, "each item of tests must be a mapping");
    VIGIL_RETURN_IF_ERROR(ForEachField(
        n, "in a test",
        {"interval", "input_series", "alert_rule_test", "promql_expr_test", "external_labels",
         "external_url", "name"},
        [&](const std::string& key, const YAML::Node& v) -> Status {
          if (key == "interval") return Duration(v, key, g.interval);
          if (key == "external_labels") return LabelMap(v, key, g.external_labels);
          if (key == "external_url") return String(v, key, g.external_url);
          if (key == "name") return String(v, key, g.name);
          if (key == "input_series") {
            return Sequence(v, key, [&](const YAML::Node& s) { return InputSeries(s, g); });
          }
          if (key == "alert_rule_test") {
            return Sequence(v, key, [&](const YAML::Node& s) { return AlertTest(s, g); });
          }
          return Sequence(v, key, [&](const YAML::Node& s) { return PromqlTest(s, g); });
        }));
    return g;
  }

  Status InputSeries(const YAML::Node& n, TestGroup& g) {
    if (!n.IsMap()) return Err(n, "each item of input_series must be a mapping");
    TestInputSeries s;
    s.pos = Pos(n);
    YAML::Node series_node, values_node;
    VIGIL_RETURN_IF_ERROR(ForEachField(n, "in an input series", {"series", "values"},
                                       [&](const std::string& key, const YAML::Node& v) -> Status {
                                         if (!v.IsNull() && !v.IsScalar())
                                           return Err(v, key + " must be a string");
                                         (key == "series" ? series_node : values_node) = v;
                                         return Status::Ok();
                                       }));
    if (!series_node || series_node.IsNull() || series_node.Scalar().empty()) {
      return ErrAt(s.pos, "input series has no series (e.g. series: 'up{job=\"api\"}')");
    }
    size_t offset = 0;
    Result<eval::Labels> labels = ParseMetricNotation(series_node.Scalar(), &offset);
    if (!labels.ok()) {
      return ErrAt(PosInScalar(series_node, offset),
                   "series \"" + series_node.Scalar() + "\": " + labels.status().message());
    }
    if (eval::LabelValue(*labels, eval::kMetricNameLabel).empty()) {
      return Err(series_node, "series \"" + series_node.Scalar() + "\" has no metric name");
    }
    s.labels = std::move(*labels);
    if (values_node && !values_node.IsNull()) {
      Result<std::vector<SeriesValue>> values = ExpandSeriesValues(values_node.Scalar(), &offset);
      if (!values.ok()) {
        return ErrAt(PosInScalar(values_node, offset),
                     "values \"" + values_node.Scalar() + "\": " + values.status().message());
      }
      s.values = std::move(*values);
    }
    g.input_series.push_back(std::move(s));
    return Status::Ok();
  }

  Status AlertTest(const YAML::Node& n, TestGroup& g) {
    if (!n.IsMap()) return Err(n, "each item of alert_rule_test must be a mapping");
    AlertTestCase c;
    c.pos = Pos(n);
    VIGIL_RETURN_IF_ERROR(
        ForEachField(n, "in an alert_rule_test item", {"eval_time", "alertname", "exp_alerts"},
                     [&](const std::string& key, const YAML::Node& v) -> Status {
                       if (key == "eval_time") return Duration(v, key, c.eval_time);
                       if (key == "alertname") return String(v, key, c.alertname);
                       return Sequence(v, key, [&](const YAML::Node& a) -> Status {
                         if (!a.IsMap()) return Err(a, "each item of exp_alerts must be a mapping");
                         ExpectedAlert e;
                         VIGIL_RETURN_IF_ERROR(ForEachField(
                             a, "in an expected alert", {"exp_labels", "exp_annotations"},
                             [&](const std::string& k, const YAML::Node& m) -> Status {
                               return LabelMap(m, k, k == "exp_labels" ? e.labels : e.annotations);
                             }));
                         c.exp_alerts.push_back(std::move(e));
                         return Status::Ok();
                       });
                     }));
    if (c.alertname.empty()) {
      std::string in_group = g.name.empty() ? "" : " (in TestGroup " + g.name + ")";
      return ErrAt(c.pos,
                   "an item under alert_rule_test misses required attribute alertname at "
                   "eval_time " +
                       promql::FormatDuration(c.eval_time) + in_group);
    }
    g.alert_tests.push_back(std::move(c));
    return Status::Ok();
  }

  Status PromqlTest(const YAML::Node& n, TestGroup& g) {
    if (!n.IsMap()) return Err(n, "each item of promql_expr_test must be a mapping");
    PromqlTestCase c;
    c.expr_pos = Pos(n);
    VIGIL_RETURN_IF_ERROR(
        ForEachField(n, "in a promql_expr_test item", {"expr", "eval_time", "exp_samples"},
                     [&](const std::string& key, const YAML::Node& v) -> Status {
                       if (key == "eval_time") return Duration(v, key, c.eval_time);
                       if (key == "expr") {
                         c.expr_pos = Pos(v);
                         return String(v, key, c.expr);
                       }
                       return Sequence(v, key, [&](const YAML::Node& s) { return Sample(s, c); });
                     }));
    g.promql_tests.push_back(std::move(c));
    return Status::Ok();
  }

  Status Sample(const YAML::Node& n, PromqlTestCase& c) {
    if (!n.IsMap()) return Err(n, "each item of exp_samples must be a mapping");
    ExpectedSample s;
    s.labels_pos = Pos(n);
    VIGIL_RETURN_IF_ERROR(ForEachField(n, "in an expected sample", {"labels", "value"},
                                       [&](const std::string& key, const YAML::Node& v) -> Status {
                                         if (key == "labels") {
                                           s.labels_pos = PosInScalar(v, 0);
                                           return String(v, key, s.labels);
                                         }
                                         if (v.IsNull()) return Status::Ok();
                                         // yaml-cpp reads 1, 1.5e-7, .inf, -.inf and .nan, as
                                         // promtool's YAML decoder does.
                                         if (!v.IsScalar() ||
                                             !YAML::convert<double>::decode(v, s.value)) {
                                           return Err(v, "value must be a number");
                                         }
                                         return Status::Ok();
                                       }));
    c.exp_samples.push_back(std::move(s));
    return Status::Ok();
  }

  // Relative patterns are taken from the test file's directory; each glob's matches are in
  // sorted order, as Go's filepath.Glob returns them.
  void ResolveRuleFiles(const std::vector<std::string>& patterns, RuleTestFile& file) const {
    size_t slash = path_.rfind('/');
    std::string dir = slash == std::string::npos ? "" : path_.substr(0, slash + 1);
    for (const std::string& p : patterns) {
      std::string full = (p.empty() || p[0] == '/') ? p : dir + p;
      glob_t g{};
      int rc = ::glob(full.c_str(), 0, nullptr, &g);
      if (rc == 0) {
        for (size_t i = 0; i < g.gl_pathc; ++i) file.rule_files.emplace_back(g.gl_pathv[i]);
      } else {
        file.unmatched_patterns.push_back(full);
      }
      ::globfree(&g);
    }
  }

  std::string path_;
};

}  // namespace

Result<RuleTestFile> ParseRuleTestText(std::string_view yaml, const std::string& path) {
  Result<YAML::Node> root = config::ParseYamlText(std::string(yaml), path);
  if (!root.ok()) return root.status();
  try {
    return TestFileParser(path).Parse(*root);
  } catch (const YAML::Exception& e) {
    // Conversions are checked before use; this guards yaml-cpp surprises at the boundary.
    return Status::InvalidArgument(path + ": " + e.what());
  }
}

Result<RuleTestFile> LoadRuleTestFile(const std::string& path) {
  Result<std::string> text = config::ReadTextFile(path);
  if (!text.ok()) return text.status();
  return ParseRuleTestText(*text, path);
}

}  // namespace vigil::rules
