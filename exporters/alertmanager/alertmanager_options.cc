#include "exporters/alertmanager/alertmanager_options.h"

#include <set>

#include "core/net/address.h"

namespace vigil::exporters {
namespace {

Status CheckUrls(const std::vector<std::string>& urls, const char* field,
                 std::set<std::string>* seen, bool* any_https) {
  for (size_t i = 0; i < urls.size(); ++i) {
    const std::string where = std::string(field) + "[" + std::to_string(i) + "]";
    auto parsed = net::ParseBaseUrl(urls[i]);
    if (!parsed.ok()) return parsed.status().WithContext(where);
    if (parsed->scheme == "https") *any_https = true;
    if (!seen->insert(urls[i]).second) {
      return Status::InvalidArgument(where + ": \"" + urls[i] + "\" is listed twice");
    }
  }
  return Status::Ok();
}

}  // namespace

bool IsValidLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) return false;
  }
  return true;
}

Status ValidateAlertmanagerOptions(const AlertmanagerOptions& o) {
  if (!o.enabled()) {
    return Status::InvalidArgument("alerting: name at least one Alertmanager url or webhook url");
  }
  std::set<std::string> seen;
  bool any_https = false;
  VIGIL_RETURN_IF_ERROR(CheckUrls(o.urls, "urls", &seen, &any_https));
  VIGIL_RETURN_IF_ERROR(CheckUrls(o.webhook_urls, "webhook_urls", &seen, &any_https));
  if (any_https) {
    VIGIL_RETURN_IF_ERROR(net::ValidateTlsOptions(o.tls));
  } else if (o.tls.configured()) {
    return Status::InvalidArgument("tls: set, but no url or webhook_url is https://");
  }
  if (o.timeout.count() <= 0) return Status::InvalidArgument("timeout must be positive");
  if (o.queue_capacity == 0) return Status::InvalidArgument("queue_capacity must be positive");
  if (o.max_batch == 0) return Status::InvalidArgument("max_batch must be positive");
  if (o.retry.max_attempts < 1) {
    return Status::InvalidArgument("retry.max_attempts must be at least 1");
  }
  if (o.retry.initial_interval.count() <= 0 || o.retry.max_interval < o.retry.initial_interval) {
    return Status::InvalidArgument(
        "retry: initial_interval must be positive and no larger than max_interval");
  }
  for (const auto& [name, value] : o.external_labels) {
    if (!IsValidLabelName(name)) {
      return Status::InvalidArgument("external_labels: \"" + name +
                                     "\" is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)");
    }
  }
  for (const auto& [name, value] : o.headers) {
    if (name.empty() || (name + value).find_first_of("\r\n") != std::string::npos) {
      return Status::InvalidArgument("headers: \"" + name + "\" is empty or contains a line break");
    }
  }
  return Status::Ok();
}

config::OptionTablePtr<AlertmanagerOptions> AlertmanagerOptionTable() {
  auto retry = std::make_shared<config::OptionTable<AlertRetrySettings>>();
  retry
      ->Integer("max_attempts", &AlertRetrySettings::max_attempts, 1, 100,
                "Tries per batch and destination; then the batch is dropped and counted")
      .Duration("initial_interval", &AlertRetrySettings::initial_interval,
                "First retry waits up to this (full jitter), doubling each time")
      .Duration("max_interval", &AlertRetrySettings::max_interval,
                "Longest wait; a longer Retry-After drops the batch");

  using O = AlertmanagerOptions;
  auto table = std::make_shared<config::OptionTable<O>>();
  table
      ->StringList("urls", &O::urls,
                   "Alertmanager base URLs (http[s]://host:port[/prefix]); each gets every alert")
      .StringList("webhook_urls", &O::webhook_urls,
                  "URLs POSTed a JSON document {version, status, alerts}")
      .StringMap("headers", &O::headers, "Extra request headers")
      .StringMap("external_labels", &O::external_labels,
                 "Labels added to every alert that does not have them")
      .Duration("timeout", &O::timeout, "Per request")
      .Integer("queue_capacity", &O::queue_capacity, size_t{1}, size_t{10'000'000},
               "Alerts waiting per destination; beyond it the oldest are dropped and counted")
      .Integer("max_batch", &O::max_batch, size_t{1}, size_t{100'000}, "Alerts per request")
      .Section("retry", &O::retry, retry, "Retry on transport errors, 429 and 5xx")
      .Section("tls", &O::tls, net::TlsOptionTable(), "TLS for the https:// destinations");
  return table;
}

}  // namespace vigil::exporters
