// What the alert notifier sends (NotifierAlert) and where and how it sends it
// (AlertmanagerOptions, the collector's `alerting:` section), with validation and the option
// table. Plain values; the table is built once and immutable, so it is safe from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/config/option_table.h"
#include "core/net/tls_options.h"
#include "core/status.h"

namespace vigil::exporters {

using Labels = std::vector<std::pair<std::string, std::string>>;

// One alert as the Alertmanager v2 API takes it (postableAlert).
struct NotifierAlert {
  Labels labels;
  Labels annotations;
  int64_t starts_at_ms = 0;  // Unix ms; 0 = unset (Alertmanager then uses its receive time)
  int64_t ends_at_ms = 0;    // Unix ms; 0 = unset; in the past = resolved
  std::string generator_url;
};

struct AlertRetrySettings {
  int max_attempts = 3;  // tries per batch and destination, the first included
  std::chrono::milliseconds initial_interval{500};
  // Longest wait between tries. A Retry-After asking for longer gives the batch up at once:
  // the rule engine resends firing alerts anyway, so a stale batch is worth little.
  std::chrono::milliseconds max_interval{10000};
};

struct AlertmanagerOptions {
  std::vector<std::string> urls;               // Alertmanager base URLs; /api/v2/alerts is appended
  std::vector<std::string> webhook_urls;       // http[s]://host:port/path, no query (alert_json.h)
  std::map<std::string, std::string> headers;  // sent with every request
  std::map<std::string, std::string> external_labels;  // added unless the alert has the name
  std::chrono::milliseconds timeout{10000};            // per request
  size_t queue_capacity = 10000;  // alerts waiting per destination; the oldest are dropped
  size_t max_batch = 64;          // alerts per request
  AlertRetrySettings retry;
  net::TlsOptions tls{};  // the `tls:` section: used for every https:// destination

  // No destination configured: alerting is off and no notifier should be created.
  bool enabled() const { return !urls.empty() || !webhook_urls.empty(); }
};

// InvalidArgument naming the field: no destination, a URL that is not
// http[s]://host:port[/path], a URL listed twice, a `tls` file that is unreadable or not PEM,
// `tls` settings with no https:// destination, a non-positive timeout/capacity/batch/attempt
// count, max_interval < initial_interval, an external label name that is not
// [a-zA-Z_][a-zA-Z0-9_]*, a header with CR/LF.
Status ValidateAlertmanagerOptions(const AlertmanagerOptions& o);

// True for a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*).
bool IsValidLabelName(std::string_view name);

// The option table of the `alerting:` section, for the collector's config
// (`.Section("alerting", &CollectorConfig::alerting, AlertmanagerOptionTable(), ...)`).
config::OptionTablePtr<AlertmanagerOptions> AlertmanagerOptionTable();

}  // namespace vigil::exporters
