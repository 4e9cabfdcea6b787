// crmkit service: CSAT, CES, first-contact resolution and response-time SLA compliance of an
// interaction log, overall and per group (docs/models/service.md).
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "clv_common.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "crmkit/service/metrics.hpp"

namespace crmkit::cli {

namespace {
struct ServiceArgs {
  std::string interactions, by, sla;
  double confidence = 0.95;
  OutputArgs out;
};
}  // namespace

static void add_service(CLI::App& root, std::vector<Command>& commands) {
  auto a = std::make_shared<ServiceArgs>();
  CLI::App* app = root.add_subcommand(
      "service", "Service metrics of an interaction log: CSAT, CES, first-contact resolution, response-time SLA "
                 "compliance per priority tier; overall and per group");
  app->add_option("--interactions", a->interactions,
                  "Interaction CSV with any of csat (1-5), ces (1-7), first_response_minutes, "
                  "resolved_first_contact, priority (and e.g. channel, segment)")
      ->required()
      ->type_name("FILE");
  app->add_option("--by", a->by, "Group column (e.g. channel or a customer-segment column)")->type_name("COL");
  app->add_option("--sla", a->sla, "First-response targets per tier (default urgent=30m,normal=4h,complex=24h)")
      ->type_name("TIER=DURATION,...");
  app->add_option("--confidence", a->confidence, "Confidence level of the intervals")
      ->check(CLI::Range(1e-9, 1 - 1e-9))
      ->capture_default_str();
  a->out.add_to(*app);
  app->footer(
      "Example:\n  crmkit service --interactions interactions.csv --by channel --format table\n"
      "Columns: group,interactions, then per measured metric: csat_n,csat,csat_ci_low,csat_ci_high,csat_mean,\n"
      "  ces_n,ces_mean,ces_easy_share,ces_difficult_share, fcr_n,fcr_rate,fcr_ci_low,fcr_ci_high,\n"
      "  sla_n,sla_compliance,sla_ci_low,sla_ci_high and sla_<tier>_n,sla_<tier>_compliance per tier.\n"
      "An undefined value (no answers: n = 0) is an empty cell in csv, null in json and '-' in table.");

  commands.push_back({app, [a] {
    service::ServiceOptions o;
    o.confidence = a->confidence;
    if (!a->sla.empty()) {
      try {
        o.sla = service::parse_sla_targets(a->sla);
      } catch (const InvalidArgument& e) {
        throw UsageError("--sla: " + e.rule() + ", found " + e.value());
      }
    }
    const service::ServiceReport r = service::service_metrics_csv(a->interactions, a->by, o);
    if (a->out.format == "json") {
      write_text(service::to_json(r).dump(2) + "\n", a->out.output);
      return;
    }
    std::vector<const service::GroupMetrics*> rows{&r.overall};
    for (const auto& g : r.groups) rows.push_back(&g);
    OutputTable out;
    std::vector<std::string_view> names;
    std::vector<std::int64_t> inter;
    for (const auto* g : rows) {
      names.push_back(g->group);
      inter.push_back(g->interactions);
    }
    out.add("group", std::move(names));
    out.add("interactions", std::move(inter));
    Style d3{3};
    d3.nan_text = "-";
    auto add_int = [&](const std::string& name, auto get) {
      std::vector<std::int64_t> v;
      for (const auto* g : rows) v.push_back(get(*g));
      out.add(name, std::move(v));
    };
    auto add_num = [&](const std::string& name, auto get) {
      std::vector<double> v;
      for (const auto* g : rows) v.push_back(get(*g));
      out.add(name, std::move(v), d3);
    };
    using G = service::GroupMetrics;
    if (r.has_csat) {
      add_int("csat_n", [](const G& g) { return g.csat.n; });
      add_num("csat", [](const G& g) { return g.csat.csat; });
      add_num("csat_ci_low", [](const G& g) { return g.csat.ci_low; });
      add_num("csat_ci_high", [](const G& g) { return g.csat.ci_high; });
      add_num("csat_mean", [](const G& g) { return g.csat.mean; });
    }
    if (r.has_ces) {
      add_int("ces_n", [](const G& g) { return g.ces.n; });
      add_num("ces_mean", [](const G& g) { return g.ces.mean; });
      add_num("ces_easy_share", [](const G& g) { return g.ces.easy_share; });
      add_num("ces_difficult_share", [](const G& g) { return g.ces.difficult_share; });
    }
    if (r.has_fcr) {
      add_int("fcr_n", [](const G& g) { return g.fcr.trials; });
      add_num("fcr_rate", [](const G& g) { return g.fcr.estimate; });
      add_num("fcr_ci_low", [](const G& g) { return g.fcr.ci_low; });
      add_num("fcr_ci_high", [](const G& g) { return g.fcr.ci_high; });
    }
    if (r.has_sla) {
      add_int("sla_n", [](const G& g) { return g.sla.n; });
      add_num("sla_compliance", [](const G& g) { return g.sla.compliance; });
      add_num("sla_ci_low", [](const G& g) { return g.sla.ci_low; });
      add_num("sla_ci_high", [](const G& g) { return g.sla.ci_high; });
      for (std::size_t t = 0; t < o.sla.size(); ++t) {
        add_int("sla_" + o.sla[t].tier + "_n", [t](const G& g) { return g.sla.tiers[t].n; });
        add_num("sla_" + o.sla[t].tier + "_compliance", [t](const G& g) { return g.sla.tiers[t].compliance; });
      }
    }
    write_output(out, a->out);
  }});
}

CRMKIT_CLI_COMMAND(100, add_service);

}  // namespace crmkit::cli
