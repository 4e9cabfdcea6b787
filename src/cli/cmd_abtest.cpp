// crmkit abtest: two-proportion comparison of arm B against arm A (pooled z test, Newcombe's interval
// for the difference; docs/models/service.md).
#include <charconv>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "clv_common.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "crmkit/service/abtest.hpp"

namespace crmkit::cli {

namespace {
struct AbArgs {
  std::string a, b;
  double confidence = 0.95;
  OutputArgs out;
};

std::pair<std::int64_t, std::int64_t> arm(const std::string& text, const char* flag) {
  const std::size_t slash = text.find('/');
  std::int64_t s = 0, t = 0;
  auto whole = [](std::string_view v, std::int64_t& x) {
    const auto r = std::from_chars(v.data(), v.data() + v.size(), x);
    return !v.empty() && r.ec == std::errc() && r.ptr == v.data() + v.size();
  };
  if (slash == std::string::npos || !whole(std::string_view(text).substr(0, slash), s) ||
      !whole(std::string_view(text).substr(slash + 1), t) || t <= 0 || s < 0 || s > t)
    throw UsageError(std::string(flag) + " must be SUCCESSES/TRIALS with 0 <= SUCCESSES <= TRIALS and TRIALS > 0, found '" +
                     text + "'");
  return {s, t};
}
}  // namespace

static void add_abtest(CLI::App& root, std::vector<Command>& commands) {
  auto a = std::make_shared<AbArgs>();
  CLI::App* app = root.add_subcommand(
      "abtest", "Compare two rates (conversion, satisfaction): difference B - A with Newcombe's interval, "
                "pooled z test, Wilson interval per arm");
  app->add_option("--a", a->a, "Arm A as SUCCESSES/TRIALS")->required()->type_name("S/T");
  app->add_option("--b", a->b, "Arm B as SUCCESSES/TRIALS")->required()->type_name("S/T");
  app->add_option("--confidence", a->confidence, "Confidence level (significance at 1 - confidence)")
      ->check(CLI::Range(1e-9, 1 - 1e-9))
      ->capture_default_str();
  a->out.add_to(*app);
  app->footer(
      "Example:\n  crmkit abtest --a 48/80 --b 56/70 --format table\n"
      "Columns: rate_a,ci_low_a,ci_high_a,rate_b,ci_low_b,ci_high_b,difference,ci_low,ci_high,relative_lift,z,"
      "p_value,significant");

  commands.push_back({app, [a] {
    const auto [sa, na] = arm(a->a, "--a");
    const auto [sb, nb] = arm(a->b, "--b");
    const auto t = service::two_proportion_test(sa, na, sb, nb, a->confidence);
    if (a->out.format == "json") {
      write_text(service::to_json(t).dump(2) + "\n", a->out.output);
      return;
    }
    Style d4{4};
    d4.nan_text = "-";
    OutputTable out;
    auto one = [&](const char* name, double v) { out.add(name, std::vector<double>{v}, d4); };
    one("rate_a", t.a.estimate);
    one("ci_low_a", t.a.ci_low);
    one("ci_high_a", t.a.ci_high);
    one("rate_b", t.b.estimate);
    one("ci_low_b", t.b.ci_low);
    one("ci_high_b", t.b.ci_high);
    one("difference", t.difference);
    one("ci_low", t.ci_low);
    one("ci_high", t.ci_high);
    one("relative_lift", t.relative_lift);
    one("z", t.z);
    one("p_value", t.p_value);
    out.add("significant", std::vector<std::int64_t>{t.significant ? 1 : 0});
    write_output(out, a->out);
  }});
}

CRMKIT_CLI_COMMAND(120, add_abtest);

}  // namespace crmkit::cli
