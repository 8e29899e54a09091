#include "exporters/alertmanager/alert_json.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

namespace vigil::exporters {
namespace {

AlertPtr MakeAlert(Labels labels, int64_t starts, int64_t ends, std::string url = "") {
  auto a = std::make_shared<NotifierAlert>();
  a->labels = std::move(labels);
  a->annotations = {{"summary", "it broke"}};
  a->starts_at_ms = starts;
  a->ends_at_ms = ends;
  a->generator_url = std::move(url);
  return a;
}

std::string Str(simdjson::dom::element e) { return std::string(std::string_view(e)); }

TEST(AlertJsonTest, FormatsRfc3339InUtcWithMilliseconds) {
  EXPECT_EQ(FormatRfc3339Millis(1700000000123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(FormatRfc3339Millis(1), "1970-01-01T00:00:00.001Z");
  EXPECT_EQ(FormatRfc3339Millis(951782400000), "2000-02-29T00:00:00.000Z");  // leap day
  EXPECT_EQ(FormatRfc3339Millis(-1), "1969-12-31T23:59:59.999Z");
}

TEST(AlertJsonTest, EscapesStringsSoTheyParseBack) {
  const std::string nasty = "quote\" back\\slash\nnew\ttab\x01 ctl é";
  const std::string out = AlertmanagerAlertsJson({MakeAlert({{"summary", nasty}}, 1, 0, nasty)});
  EXPECT_EQ(out.find('\n'), std::string::npos);
  EXPECT_EQ(out.find('\x01'), std::string::npos);
  simdjson::dom::parser parser;
  auto doc = parser.parse(out);
  ASSERT_EQ(doc.error(), simdjson::SUCCESS) << out;
  EXPECT_EQ(Str(doc.value().at(0)["labels"]["summary"]), nasty);
  EXPECT_EQ(Str(doc.value().at(0)["generatorURL"]), nasty);
}

TEST(AlertJsonTest, AlertmanagerArrayCarriesEveryField) {
  const std::string json = AlertmanagerAlertsJson(
      {MakeAlert({{"alertname", "HighErrors"}, {"job", "api"}}, 1700000000123, 1700000060000,
                 "http://vigil:9464/graph?g0.expr=x"),
       MakeAlert({{"alertname", "Other"}}, 0, 0)});
  simdjson::dom::parser parser;
  auto doc = parser.parse(json);
  ASSERT_EQ(doc.error(), simdjson::SUCCESS) << json;
  simdjson::dom::array arr = doc.value().get_array();
  ASSERT_EQ(arr.size(), 2u);
  simdjson::dom::element first = arr.at(0);
  EXPECT_EQ(Str(first["labels"]["alertname"]), "HighErrors");
  EXPECT_EQ(Str(first["labels"]["job"]), "api");
  EXPECT_EQ(Str(first["annotations"]["summary"]), "it broke");
  EXPECT_EQ(Str(first["startsAt"]), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(Str(first["endsAt"]), "2023-11-14T22:14:20.000Z");
  EXPECT_EQ(Str(first["generatorURL"]), "http://vigil:9464/graph?g0.expr=x");
  // Unset times are left out, so Alertmanager fills them in itself.
  simdjson::dom::element second = arr.at(1);
  EXPECT_EQ(second["startsAt"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(second["endsAt"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(AlertmanagerAlertsJson({}), "[]");
}

TEST(AlertJsonTest, WebhookStatusFollowsEndsAt) {
  const int64_t now = 1700000000000;
  auto firing = MakeAlert({{"alertname", "A"}}, now - 60000, 0);
  auto future_end = MakeAlert({{"alertname", "B"}}, now - 60000, now + 1);
  auto resolved = MakeAlert({{"alertname", "C"}}, now - 60000, now);
  EXPECT_FALSE(IsResolved(*firing, now));
  EXPECT_FALSE(IsResolved(*future_end, now));
  EXPECT_TRUE(IsResolved(*resolved, now));

  simdjson::dom::parser parser;
  const std::string mixed = WebhookJson({firing, resolved}, now);
  auto doc = parser.parse(mixed);
  ASSERT_EQ(doc.error(), simdjson::SUCCESS) << mixed;
  EXPECT_EQ(Str(doc.value()["version"]), "1");
  EXPECT_EQ(Str(doc.value()["status"]), "firing");
  simdjson::dom::array alerts = doc.value()["alerts"].get_array();
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(Str(alerts.at(0)["status"]), "firing");
  EXPECT_EQ(Str(alerts.at(1)["status"]), "resolved");
  EXPECT_EQ(Str(alerts.at(1)["labels"]["alertname"]), "C");

  const std::string all_resolved = WebhookJson({resolved}, now);
  auto doc2 = parser.parse(all_resolved);
  ASSERT_EQ(doc2.error(), simdjson::SUCCESS);
  EXPECT_EQ(Str(doc2.value()["status"]), "resolved");
}

}  // namespace
}  // namespace vigil::exporters
