#include "collector/rules/engine/alert_state_codec.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>

#include "core/text/quote.h"

namespace vigil::rules {
namespace {

void AppendLabels(std::string& out, const eval::Labels& labels) {
  out += '{';
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ',';
    text::AppendJsonQuoted(&out, labels[i].first);
    out += ':';
    text::AppendJsonQuoted(&out, labels[i].second);
  }
  out += '}';
}

void AppendField(std::string& out, std::string_view name, int64_t v) {
  out += ",\"";
  out += name;
  out += "\":";
  out += std::to_string(v);
}

Status Corrupt(const std::string& what) { return Status::InvalidArgument("alert state: " + what); }

Result<std::string> GetString(simdjson::dom::object obj, std::string_view key, bool required,
                              const std::string& where) {
  simdjson::dom::element e;
  if (obj.at_key(key).get(e) != simdjson::SUCCESS) {
    if (required) return Corrupt(where + ": missing \"" + std::string(key) + "\"");
    return std::string();
  }
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) {
    return Corrupt(where + ": \"" + std::string(key) + "\" must be a string");
  }
  return std::string(s);
}

Status GetInt(simdjson::dom::object obj, std::string_view key, bool required,
              const std::string& where, int64_t* out) {
  simdjson::dom::element e;
  if (obj.at_key(key).get(e) != simdjson::SUCCESS) {
    return required ? Corrupt(where + ": missing \"" + std::string(key) + "\"") : Status::Ok();
  }
  if (e.get_int64().get(*out) != simdjson::SUCCESS) {
    return Corrupt(where + ": \"" + std::string(key) + "\" must be an integer");
  }
  return Status::Ok();
}

Status GetLabels(simdjson::dom::object obj, std::string_view key, bool required,
                 const std::string& where, eval::Labels* out) {
  simdjson::dom::element e;
  if (obj.at_key(key).get(e) != simdjson::SUCCESS) {
    return required ? Corrupt(where + ": missing \"" + std::string(key) + "\"") : Status::Ok();
  }
  simdjson::dom::object labels;
  if (e.get_object().get(labels) != simdjson::SUCCESS) {
    return Corrupt(where + ": \"" + std::string(key) + "\" must be an object of strings");
  }
  for (auto field : labels) {
    std::string_view v;
    if (field.value.get_string().get(v) != simdjson::SUCCESS) {
      return Corrupt(where + ": \"" + std::string(key) + "\" must be an object of strings");
    }
    out->emplace_back(std::string(field.key), std::string(v));
  }
  std::sort(out->begin(), out->end());
  for (size_t i = 1; i < out->size(); ++i) {
    if ((*out)[i].first == (*out)[i - 1].first) {
      return Corrupt(where + ": \"" + std::string(key) + "\" repeats \"" + (*out)[i].first + "\"");
    }
  }
  return Status::Ok();
}

Result<PersistedAlert> DecodeOne(simdjson::dom::element e, const std::string& where) {
  simdjson::dom::object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) return Corrupt(where + ": not an object");
  PersistedAlert p;
  Result<std::string> group = GetString(obj, "group", true, where);
  if (!group.ok()) return group.status();
  Result<std::string> rule = GetString(obj, "rule", true, where);
  if (!rule.ok()) return rule.status();
  p.group = std::move(*group);
  p.rule = std::move(*rule);
  int64_t index = 0;
  VIGIL_RETURN_IF_ERROR(GetInt(obj, "rule_index", false, where, &index));
  if (index < 0 || index > 1 << 20) return Corrupt(where + ": \"rule_index\" out of range");
  p.rule_index = static_cast<int>(index);
  VIGIL_RETURN_IF_ERROR(GetLabels(obj, "labels", true, where, &p.alert.labels));
  VIGIL_RETURN_IF_ERROR(GetLabels(obj, "annotations", false, where, &p.alert.annotations));
  Result<std::string> value = GetString(obj, "value", false, where);
  if (!value.ok()) return value.status();
  if (!value->empty()) {
    const char* end = value->data() + value->size();
    auto [ptr, ec] = std::from_chars(value->data(), end, p.alert.value);
    if (ec != std::errc() || ptr != end) return Corrupt(where + ": bad \"value\" " + *value);
  }
  Result<std::string> state = GetString(obj, "state", true, where);
  if (!state.ok()) return state.status();
  if (*state == "pending") {
    p.alert.state = AlertState::kPending;
  } else if (*state == "firing") {
    p.alert.state = AlertState::kFiring;
  } else if (*state == "inactive") {
    p.alert.state = AlertState::kInactive;
  } else {
    return Corrupt(where + ": unknown state \"" + *state + "\"");
  }
  VIGIL_RETURN_IF_ERROR(GetInt(obj, "active_at_ms", true, where, &p.alert.active_at_ms));
  VIGIL_RETURN_IF_ERROR(GetInt(obj, "fired_at_ms", false, where, &p.alert.fired_at_ms));
  VIGIL_RETURN_IF_ERROR(GetInt(obj, "resolved_at_ms", false, where, &p.alert.resolved_at_ms));
  VIGIL_RETURN_IF_ERROR(
      GetInt(obj, "keep_firing_since_ms", false, where, &p.alert.keep_firing_since_ms));
  return p;
}

}  // namespace

std::string EncodeAlertState(const std::vector<PersistedAlert>& alerts) {
  std::string out = "{\"version\":" + std::to_string(kAlertStateVersion) + ",\"alerts\":[";
  for (size_t i = 0; i < alerts.size(); ++i) {
    const PersistedAlert& p = alerts[i];
    const Alert& a = p.alert;
    out += i ? ",\n{" : "\n{";
    out += "\"group\":";
    text::AppendJsonQuoted(&out, p.group);
    out += ",\"rule\":";
    text::AppendJsonQuoted(&out, p.rule);
    AppendField(out, "rule_index", p.rule_index);
    out += ",\"labels\":";
    AppendLabels(out, a.labels);
    out += ",\"annotations\":";
    AppendLabels(out, a.annotations);
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), a.value);
    out += ",\"value\":";
    text::AppendJsonQuoted(&out, ec == std::errc() ? std::string_view(buf, end - buf) : "0");
    out += ",\"state\":";
    text::AppendJsonQuoted(&out, AlertStateName(a.state));
    AppendField(out, "active_at_ms", a.active_at_ms);
    AppendField(out, "fired_at_ms", a.fired_at_ms);
    AppendField(out, "resolved_at_ms", a.resolved_at_ms);
    AppendField(out, "keep_firing_since_ms", a.keep_firing_since_ms);
    out += '}';
  }
  out += "\n]}\n";
  return out;
}

Result<std::vector<PersistedAlert>> DecodeAlertState(std::string_view document) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(document);
  simdjson::dom::element root;
  if (auto err = parser.parse(padded).get(root); err != simdjson::SUCCESS) {
    return Corrupt(std::string("not valid JSON: ") + simdjson::error_message(err));
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) return Corrupt("not a JSON object");
  int64_t version = 0;
  VIGIL_RETURN_IF_ERROR(GetInt(obj, "version", true, "document", &version));
  if (version != kAlertStateVersion) {
    return Corrupt("unsupported version " + std::to_string(version) + " (expected " +
                   std::to_string(kAlertStateVersion) + ")");
  }
  simdjson::dom::element list;
  simdjson::dom::array alerts;
  if (obj.at_key("alerts").get(list) != simdjson::SUCCESS ||
      list.get_array().get(alerts) != simdjson::SUCCESS) {
    return Corrupt("\"alerts\" must be a list");
  }
  std::vector<PersistedAlert> out;
  size_t i = 0;
  for (simdjson::dom::element e : alerts) {
    Result<PersistedAlert> p = DecodeOne(e, "alerts[" + std::to_string(i++) + "]");
    if (!p.ok()) return p.status();
    out.push_back(std::move(*p));
  }
  return out;
}

}  // namespace vigil::rules
