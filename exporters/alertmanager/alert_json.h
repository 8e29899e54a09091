// The JSON bodies the notifier sends: the Alertmanager v2 `POST /api/v2/alerts` array and the
// webhook document. Pure functions; thread-safe.
//
// Webhook document (version "1"), one per request:
//   {"version":"1","status":"firing"|"resolved","alerts":[
//     {"status":"firing"|"resolved","labels":{..},"annotations":{..},
//      "startsAt":"<RFC 3339>","endsAt":"<RFC 3339>","generatorURL":".."}, ...]}
// An alert is "resolved" when its endsAt is set and not after `now`; the document is "firing"
// when any of its alerts is. startsAt/endsAt are left out when unset, as in the v2 array.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "exporters/alertmanager/alertmanager_options.h"

namespace vigil::exporters {

using AlertPtr = std::shared_ptr<const NotifierAlert>;

// Unix milliseconds as RFC 3339 in UTC with milliseconds: "2023-11-14T22:13:20.123Z".
std::string FormatRfc3339Millis(int64_t unix_ms);

// [{"labels":{..},"annotations":{..},"startsAt":..,"endsAt":..,"generatorURL":..}, ...]
std::string AlertmanagerAlertsJson(const std::vector<AlertPtr>& alerts);

bool IsResolved(const NotifierAlert& a, int64_t now_ms);

std::string WebhookJson(const std::vector<AlertPtr>& alerts, int64_t now_ms);

}  // namespace vigil::exporters
