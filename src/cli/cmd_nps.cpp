// crmkit nps: Net Promoter Score of a scores CSV with its confidence interval, overall and per group
// (docs/models/service.md).
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
struct NpsArgs {
  std::string scores, by, score_col;
  double confidence = 0.95;
  OutputArgs out;
};
}  // namespace

static void add_nps(CLI::App& root, std::vector<Command>& commands) {
  auto a = std::make_shared<NpsArgs>();
  CLI::App* app = root.add_subcommand(
      "nps", "Net Promoter Score (promoters 9-10, passives 7-8, detractors 0-6) with a confidence interval, "
             "overall and per group: group,n,promoters,passives,detractors,missing,nps,std_error,ci_low,ci_high");
  app->add_option("--scores", a->scores,
                  "CSV with a 0-10 score column (score, nps, nps_score, likelihood_to_recommend or --score-col); "
                  "blanks are no answer")
      ->required()
      ->type_name("FILE");
  app->add_option("--by", a->by, "Group column (e.g. segment, channel)")->type_name("COL");
  app->add_option("--score-col", a->score_col, "The score column's name")->type_name("COL");
  app->add_option("--confidence", a->confidence, "Confidence level of the interval")
      ->check(CLI::Range(1e-9, 1 - 1e-9))
      ->capture_default_str();
  a->out.add_to(*app);
  app->footer("Example:\n  crmkit nps --scores survey.csv --by segment --format table");

  commands.push_back({app, [a] {
    const service::NpsReport r = service::nps_csv(a->scores, a->by, a->score_col, a->confidence);
    if (a->out.format == "json") {
      write_text(service::to_json(r).dump(2) + "\n", a->out.output);
      return;
    }
    std::vector<std::string_view> names{"all"};
    std::vector<const service::NpsResult*> rows{&r.overall};
    for (std::size_t k = 0; k < r.groups.size(); ++k) {
      names.push_back(r.group_names[k]);
      rows.push_back(&r.groups[k]);
    }
    std::vector<std::int64_t> n, pro, pas, det, mis;
    std::vector<double> score, se, lo, hi;
    for (const auto* x : rows) {
      n.push_back(x->n);
      pro.push_back(x->promoters);
      pas.push_back(x->passives);
      det.push_back(x->detractors);
      mis.push_back(x->missing);
      score.push_back(x->score);
      se.push_back(x->std_error);
      lo.push_back(x->ci_low);
      hi.push_back(x->ci_high);
    }
    Style d2{2};
    d2.nan_text = "-";
    OutputTable out;
    out.add("group", std::move(names));
    out.add("n", std::move(n));
    out.add("promoters", std::move(pro));
    out.add("passives", std::move(pas));
    out.add("detractors", std::move(det));
    out.add("missing", std::move(mis));
    out.add("nps", std::move(score), d2);
    out.add("std_error", std::move(se), d2);
    out.add("ci_low", std::move(lo), d2);
    out.add("ci_high", std::move(hi), d2);
    write_output(out, a->out);
  }});
}

CRMKIT_CLI_COMMAND(110, add_nps);

}  // namespace crmkit::cli
