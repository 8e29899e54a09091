#include "exporters/alertmanager/alert_json.h"

#include <cstdio>
#include <ctime>

#include "core/text/quote.h"

namespace vigil::exporters {
namespace {

void AppendLabels(const Labels& labels, std::string* out) {
  out->push_back('{');
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out->push_back(',');
    text::AppendJsonQuoted(out, labels[i].first);
    out->push_back(':');
    text::AppendJsonQuoted(out, labels[i].second);
  }
  out->push_back('}');
}

// The fields shared by both formats, without the braces.
void AppendAlertFields(const NotifierAlert& a, std::string* out) {
  out->append("\"labels\":");
  AppendLabels(a.labels, out);
  out->append(",\"annotations\":");
  AppendLabels(a.annotations, out);
  if (a.starts_at_ms > 0) {
    out->append(",\"startsAt\":\"").append(FormatRfc3339Millis(a.starts_at_ms)).push_back('"');
  }
  if (a.ends_at_ms > 0) {
    out->append(",\"endsAt\":\"").append(FormatRfc3339Millis(a.ends_at_ms)).push_back('"');
  }
  out->append(",\"generatorURL\":");
  text::AppendJsonQuoted(out, a.generator_url);
}

}  // namespace

std::string FormatRfc3339Millis(int64_t unix_ms) {
  // Floor division, so times before 1970 still get a millisecond part in [0, 999].
  int64_t secs = unix_ms / 1000;
  int64_t millis = unix_ms % 1000;
  if (millis < 0) {
    millis += 1000;
    --secs;
  }
  const std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  return buf;
}

std::string AlertmanagerAlertsJson(const std::vector<AlertPtr>& alerts) {
  std::string out = "[";
  for (size_t i = 0; i < alerts.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.push_back('{');
    AppendAlertFields(*alerts[i], &out);
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

bool IsResolved(const NotifierAlert& a, int64_t now_ms) {
  return a.ends_at_ms > 0 && a.ends_at_ms <= now_ms;
}

std::string WebhookJson(const std::vector<AlertPtr>& alerts, int64_t now_ms) {
  bool firing = false;
  for (const AlertPtr& a : alerts) firing = firing || !IsResolved(*a, now_ms);
  std::string out = "{\"version\":\"1\",\"status\":\"";
  out.append(firing ? "firing" : "resolved").append("\",\"alerts\":[");
  for (size_t i = 0; i < alerts.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append("{\"status\":\"")
        .append(IsResolved(*alerts[i], now_ms) ? "resolved" : "firing")
        .append("\",");
    AppendAlertFields(*alerts[i], &out);
    out.push_back('}');
  }
  out.append("]}");
  return out;
}

}  // namespace vigil::exporters
