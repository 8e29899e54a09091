// Option tables: one row per config key (name, kind, field, doc), the shape Fluent Bit's
// config_map uses. A table loads a YAML map into a typed struct, rejects unknown keys, and
// prints --help-grade documentation with the defaults taken from a default-constructed struct.
// Tables are built once at start-up and are immutable afterwards; Load is const and reentrant.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/config/env_expand.h"
#include "core/config/value_parsers.h"
#include "core/status.h"

namespace vigil::config {

// Where a document came from, and how ${VAR} references in it are resolved.
struct LoadContext {
  std::string file;
  EnvLookup env = ProcessEnv();
  // Relative Path/PathList options are taken from here; empty leaves them as written. Set to
  // the config file's directory (ConfigDirOf), as Prometheus resolves the files its config
  // names, so a config means the same files whatever the working directory.
  std::string base_dir{};
};

// The directory of config file `file` ("" for a bare name or an "<embedded ...>" source).
std::string ConfigDirOf(const std::string& file);
// `path` taken from ctx.base_dir when it is relative and not empty.
std::string ResolvePath(const LoadContext& ctx, const std::string& path);

// "file:line:col: path: what" (line and column 1-based).
Status ErrorAt(const LoadContext& ctx, const YAML::Mark& mark, const std::string& path,
               const std::string& what);
// The node's scalar text after ${VAR} expansion, or an error when the node is not a scalar.
Result<std::string> ScalarText(const LoadContext& ctx, const YAML::Node& node,
                               const std::string& path, const char* expected);

template <typename T>
class OptionTable {
 public:
  using Loader =
      std::function<Status(const LoadContext&, const YAML::Node&, const std::string&, T*)>;
  using Shower = std::function<std::string(const T&)>;
  using Describer = std::function<void(std::ostream&, int, const T&)>;

  OptionTable& String(const char* name, std::string T::*f, const char* doc) {
    return Add(name, "string", doc,
               ScalarLoader<std::string>(
                   f, "a string", [](const std::string& s) -> Result<std::string> { return s; }),
               [f](const T& t) { return "\"" + t.*f + "\""; });
  }
  // A file or directory: a relative path is resolved against LoadContext::base_dir.
  OptionTable& Path(const char* name, std::string T::*f, const char* doc) {
    auto load = [f](const LoadContext& ctx, const YAML::Node& n, const std::string& path,
                    T* out) -> Status {
      Result<std::string> text = ScalarText(ctx, n, path, "a path");
      if (!text.ok()) return text.status();
      out->*f = ResolvePath(ctx, *text);
      return Status::Ok();
    };
    return Add(name, "path", doc, load, [f](const T& t) { return "\"" + t.*f + "\""; });
  }
  template <typename I>
  OptionTable& Integer(const char* name, I T::*f, I min, I max, const char* doc) {
    static_assert(std::is_integral_v<I>);
    return Add(
        name, "integer", doc,
        ScalarLoader<I>(f, "an integer",
                        [min, max](const std::string& s) -> Result<I> {
                          Result<int64_t> v = ParseInt(s);
                          if (!v.ok()) return v.status();
                          if (*v < static_cast<int64_t>(min) || *v > static_cast<int64_t>(max)) {
                            return Status::InvalidArgument("expected an integer in [" +
                                                           std::to_string(min) + ", " +
                                                           std::to_string(max) + "], got " + s);
                          }
                          return static_cast<I>(*v);
                        }),
        [f](const T& t) { return std::to_string(t.*f); });
  }
  OptionTable& Double(const char* name, double T::*f, double min, double max, const char* doc) {
    return Add(name, "number", doc,
               ScalarLoader<double>(f, "a number",
                                    [min, max](const std::string& s) -> Result<double> {
                                      Result<double> v = ParseDouble(s);
                                      if (!v.ok()) return v.status();
                                      if (*v < min || *v > max) {
                                        return Status::InvalidArgument("expected a number in [" +
                                                                       Num(min) + ", " + Num(max) +
                                                                       "], got " + s);
                                      }
                                      return *v;
                                    }),
               [f](const T& t) { return Num(t.*f); });
  }
  OptionTable& Bool(const char* name, bool T::*f, const char* doc) {
    return Add(name, "bool", doc, ScalarLoader<bool>(f, "true or false", ParseBool),
               [f](const T& t) { return std::string(t.*f ? "true" : "false"); });
  }
  template <typename Rep, typename Period>
  OptionTable& Duration(const char* name, std::chrono::duration<Rep, Period> T::*f,
                        const char* doc) {
    using D = std::chrono::duration<Rep, Period>;
    return Add(name, "duration", doc,
               ScalarLoader<D>(f, "a duration",
                               [](const std::string& s) -> Result<D> {
                                 Result<std::chrono::nanoseconds> v = ParseDuration(s);
                                 if (!v.ok()) return v.status();
                                 return std::chrono::duration_cast<D>(*v);
                               }),
               [f](const T& t) { return FormatDuration(t.*f); });
  }
  template <typename I>
  OptionTable& ByteSize(const char* name, I T::*f, const char* doc) {
    return Add(name, "size", doc,
               ScalarLoader<I>(f, "a size",
                               [](const std::string& s) -> Result<I> {
                                 Result<uint64_t> v = ParseByteSize(s);
                                 if (!v.ok()) return v.status();
                                 if (*v > static_cast<uint64_t>(std::numeric_limits<I>::max())) {
                                   return Status::InvalidArgument("size " + s + " is too large");
                                 }
                                 return static_cast<I>(*v);
                               }),
               [f](const T& t) { return FormatByteSize(static_cast<uint64_t>(t.*f)); });
  }
  template <typename E>
  OptionTable& Enum(const char* name, E T::*f, std::vector<std::pair<std::string, E>> choices,
                    const char* doc) {
    std::string names;
    for (const auto& [n, v] : choices) names += (names.empty() ? "" : ", ") + n;
    auto parse = [choices, names](const std::string& s) -> Result<E> {
      for (const auto& [n, v] : choices) {
        if (n == s) return v;
      }
      return Status::InvalidArgument("expected one of " + names + ", got \"" + s + "\"");
    };
    return Add(name, "one of " + names, doc, ScalarLoader<E>(f, "a name", parse),
               [f, choices](const T& t) {
                 for (const auto& [n, v] : choices) {
                   if (v == t.*f) return n;
                 }
                 return std::string("?");
               });
  }
  OptionTable& StringList(const char* name, std::vector<std::string> T::*f, const char* doc) {
    return List<std::string>(
        name, "list of strings", f, doc,
        [](const std::string& s) -> Result<std::string> { return s; },
        [](const std::string& s) { return "\"" + s + "\""; });
  }
  // Paths or globs, each relative one resolved against LoadContext::base_dir.
  OptionTable& PathList(const char* name, std::vector<std::string> T::*f, const char* doc) {
    StringList(name, f, doc);
    Row& row = rows_.back();
    row.kind = "list of paths";
    row.load = [f, strings = std::move(row.load)](const LoadContext& ctx, const YAML::Node& n,
                                                  const std::string& path, T* out) -> Status {
      VIGIL_RETURN_IF_ERROR(strings(ctx, n, path, out));
      for (std::string& p : out->*f) p = ResolvePath(ctx, p);
      return Status::Ok();
    };
    return *this;
  }
  OptionTable& DoubleList(const char* name, std::vector<double> T::*f, const char* doc) {
    return List<double>(name, "list of numbers", f, doc, ParseDouble, Num);
  }
  // A map of string keys to string values (e.g. HTTP headers); values get ${VAR} expansion.
  OptionTable& StringMap(const char* name, std::map<std::string, std::string> T::*f,
                         const char* doc) {
    auto load = [f](const LoadContext& ctx, const YAML::Node& n, const std::string& path,
                    T* out) -> Status {
      std::map<std::string, std::string> values;
      if (n.IsMap()) {
        for (const auto& kv : n) {
          const std::string key = kv.first.Scalar();
          Result<std::string> text = ScalarText(ctx, kv.second, path + "." + key, "a string");
          if (!text.ok()) return text.status();
          values[key] = std::move(*text);
        }
      } else if (!n.IsNull()) {
        return ErrorAt(ctx, n.Mark(), path,
                       std::string("expected a map of strings, got ") +
                           (n.IsSequence() ? "a list" : "a scalar"));
      }
      out->*f = std::move(values);
      return Status::Ok();
    };
    auto shower = [f](const T& t) {
      std::string s = "{";
      for (const auto& [k, v] : t.*f) s += (s.size() > 1 ? ", " : "") + k + ": \"" + v + "\"";
      return s + "}";
    };
    return Add(name, "map of strings", doc, load, shower);
  }
  // A list of sections: each item is a map loaded by `sub` into a default-constructed S.
  template <typename S, typename SubTablePtr>
  OptionTable& SectionList(const char* name, std::vector<S> T::*f, SubTablePtr sub,
                           const char* doc) {
    auto load = [f, sub](const LoadContext& ctx, const YAML::Node& n, const std::string& path,
                         T* out) -> Status {
      std::vector<S> items;
      if (n.IsSequence()) {
        for (size_t i = 0; i < n.size(); ++i) {
          const std::string item = path + "[" + std::to_string(i) + "]";
          if (!n[i].IsMap()) return ErrorAt(ctx, n[i].Mark(), item, "expected a map of options");
          S s{};
          VIGIL_RETURN_IF_ERROR(sub->Load(ctx, n[i], item, &s));
          items.push_back(std::move(s));
        }
      } else if (!n.IsNull()) {
        return ErrorAt(ctx, n.Mark(), path, "expected a list of maps");
      }
      out->*f = std::move(items);
      return Status::Ok();
    };
    Row row{name, "list", doc, load, nullptr, [sub](std::ostream& os, int indent, const T&) {
              // Items have no defaults of their own: describe one default-constructed item.
              os << std::string(static_cast<size_t>(indent), ' ') << "- # each item:\n";
              sub->Describe(os, indent + 2, S{});
            }};
    rows_.push_back(std::move(row));
    return *this;
  }
  // `sub` is a shared_ptr to an OptionTable<S> (const or not), kept alive by this table.
  template <typename S, typename SubTablePtr>
  OptionTable& Section(const char* name, S T::*f, SubTablePtr sub, const char* doc) {
    Row row{
        name,
        "section",
        doc,
        [f, sub](const LoadContext& ctx, const YAML::Node& n, const std::string& path, T* out) {
          return sub->Load(ctx, n, path, &(out->*f));
        },
        nullptr,
        [f, sub](std::ostream& os, int indent, const T& t) { sub->Describe(os, indent, t.*f); }};
    rows_.push_back(std::move(row));
    return *this;
  }

  // Loads `node` (a map, or null for "all defaults") into *out, which holds the defaults.
  Status Load(const LoadContext& ctx, const YAML::Node& node, const std::string& path,
              T* out) const {
    if (!node || node.IsNull()) return Status::Ok();
    if (!node.IsMap()) {
      return ErrorAt(ctx, node.Mark(), path.empty() ? "(top level)" : path,
                     "expected a map of options (" + KnownKeys() + ")");
    }
    for (const auto& kv : node) {
      const std::string key = kv.first.Scalar();
      const std::string child = path.empty() ? key : path + "." + key;
      const Row* row = Find(key);
      if (row == nullptr) {
        return ErrorAt(ctx, kv.first.Mark(), child, "unknown key; expected one of " + KnownKeys());
      }
      VIGIL_RETURN_IF_ERROR(row->load(ctx, kv.second, child, out));
    }
    return Status::Ok();
  }

  // One line per option: name, kind, default, doc; sections indented.
  void Describe(std::ostream& os, int indent, const T& defaults) const {
    for (const Row& r : rows_) {
      os << std::string(static_cast<size_t>(indent), ' ') << r.name << ":";
      if (r.describe) {
        os << "  # " << r.doc << "\n";
        r.describe(os, indent + 2, defaults);
      } else {
        os << " " << r.show(defaults) << "  # " << r.kind << ". " << r.doc << "\n";
      }
    }
  }

 private:
  struct Row {
    std::string name, kind, doc;
    Loader load;
    Shower show;
    Describer describe;
  };

  static std::string Num(double v) {
    std::string s = std::to_string(v);
    while (s.size() > 1 && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  }

  template <typename V, typename Parse>
  static Loader ScalarLoader(V T::*f, const char* expected, Parse parse) {
    return [f, expected, parse](const LoadContext& ctx, const YAML::Node& n,
                                const std::string& path, T* out) -> Status {
      Result<std::string> text = ScalarText(ctx, n, path, expected);
      if (!text.ok()) return text.status();
      Result<V> v = parse(*text);
      if (!v.ok()) return ErrorAt(ctx, n.Mark(), path, v.status().message());
      out->*f = std::move(*v);
      return Status::Ok();
    };
  }

  template <typename V, typename Parse, typename Show>
  OptionTable& List(const char* name, const char* kind, std::vector<V> T::*f, const char* doc,
                    Parse parse, Show show) {
    auto load = [f, parse, kind](const LoadContext& ctx, const YAML::Node& n,
                                 const std::string& path, T* out) -> Status {
      std::vector<V> values;
      if (n.IsScalar()) {  // a single value is a list of one
        Result<std::string> text = ScalarText(ctx, n, path, kind);
        if (!text.ok()) return text.status();
        Result<V> v = parse(*text);
        if (!v.ok()) return ErrorAt(ctx, n.Mark(), path, v.status().message());
        values.push_back(std::move(*v));
      } else if (n.IsSequence()) {
        for (size_t i = 0; i < n.size(); ++i) {
          const std::string item = path + "[" + std::to_string(i) + "]";
          Result<std::string> text = ScalarText(ctx, n[i], item, "a scalar");
          if (!text.ok()) return text.status();
          Result<V> v = parse(*text);
          if (!v.ok()) return ErrorAt(ctx, n[i].Mark(), item, v.status().message());
          values.push_back(std::move(*v));
        }
      } else if (!n.IsNull()) {
        return ErrorAt(ctx, n.Mark(), path, std::string("expected a ") + kind + ", got a map");
      }
      out->*f = std::move(values);
      return Status::Ok();
    };
    auto shower = [f, show](const T& t) {
      std::string s = "[";
      for (const V& v : t.*f) s += (s.size() > 1 ? ", " : "") + show(v);
      return s + "]";
    };
    return Add(name, kind, doc, load, shower);
  }

  OptionTable& Add(const char* name, std::string kind, const char* doc, Loader load, Shower show) {
    rows_.push_back(Row{name, std::move(kind), doc, std::move(load), std::move(show), nullptr});
    return *this;
  }

  const Row* Find(const std::string& key) const {
    for (const Row& r : rows_) {
      if (r.name == key) return &r;
    }
    return nullptr;
  }

  std::string KnownKeys() const {
    std::string s;
    for (const Row& r : rows_) s += (s.empty() ? "" : ", ") + r.name;
    return s;
  }

  std::vector<Row> rows_;
};

template <typename T>
using OptionTablePtr = std::shared_ptr<const OptionTable<T>>;

}  // namespace vigil::config
