// crmkit survival: Kaplan-Meier curves (with Greenwood errors, intervals, medians and the log-rank test)
// from a durations file or from a transaction log (docs/models/survival.md).
#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "clv_common.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "crmkit/churn/survival.hpp"
#include "crmkit/core/ids.hpp"
#include "crmkit/io/date.hpp"
#include "crmkit/io/table.hpp"
#include "crmkit/summary/summary.hpp"

namespace crmkit::cli {

namespace {

std::vector<double> parse_times(const std::string& text) {
  std::vector<double> out;
  std::size_t p = 0;
  while (p <= text.size()) {
    std::size_t q = text.find(',', p);
    if (q == std::string::npos) q = text.size();
    const std::string item = text.substr(p, q - p);
    try {
      std::size_t used = 0;
      const double v = std::stod(item, &used);
      if (used != item.size() || !std::isfinite(v)) throw std::invalid_argument("x");
      out.push_back(v);
    } catch (const std::exception&) {
      throw UsageError("--at: expected comma-separated numbers, found '" + item + "'");
    }
    p = q + 1;
  }
  return out;
}

}  // namespace

static void add_survival(CLI::App& root, std::vector<Command>& commands) {
  struct Args {
    TransactionArgs tx;
    OutputArgs out;
    std::string durations, duration_col, event_col, group_col, weight_col;
    std::string conf_type = "log", at, observation_end, period = "day";
    double conf_level = 0.95;
    std::int64_t inactive_days = 90;
    bool summary = false, customers = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* app = root.add_subcommand(
      "survival",
      "Kaplan-Meier survival curves with Greenwood standard errors, confidence intervals, median survival "
      "and the log-rank test, from --durations or from --transactions");
  app->add_option("--durations", a->durations,
                  "CSV with one row per subject: a duration and an event flag (1/0, true/false, yes/no; "
                  "1 = event/churned, 0 = censored), optionally a group and a weight")
      ->type_name("FILE");
  app->add_option("--duration-col", a->duration_col, "Duration column (default: duration, time, tenure, T)")
      ->type_name("COL");
  app->add_option("--event-col", a->event_col, "Event column (default: event, churned, status, observed)")
      ->type_name("COL");
  app->add_option("--group-col", a->group_col, "Group column: one curve per value (sorted) and the log-rank test")
      ->type_name("COL");
  app->add_option("--weight-col", a->weight_col, "Frequency-weight column (> 0)")->type_name("COL");
  a->tx.add_to(*app, true);
  app->get_option("--transactions")->required(false);
  app->add_option("--inactive-days", a->inactive_days,
                  "With --transactions: a customer with no purchase in the last N days up to the observation "
                  "end is churned (event 1, duration = first to last purchase); others are censored "
                  "(duration = first purchase to the observation end)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1000000000}))
      ->capture_default_str();
  app->add_option("--observation-end", a->observation_end,
                  "With --transactions: last day observed, inclusive (default: the last transaction's day)")
      ->type_name("DATE");
  app->add_option("--period", a->period, "With --transactions: unit of durations: day, week (7) or month (30.4375 days)")
      ->check(CLI::IsMember({"day", "week", "month"}))
      ->capture_default_str();
  app->add_option("--conf-type", a->conf_type,
                  "Interval: log (S exp(+-z se(log S)), R survfit's default), log-log (lifelines', SAS's) or plain")
      ->check(CLI::IsMember({"log", "log-log", "plain"}))
      ->capture_default_str();
  app->add_option("--conf-level", a->conf_level, "Confidence level")
      ->check(CLI::Range(1e-9, 1 - 1e-9))
      ->capture_default_str();
  app->add_option("--at", a->at, "Output S(t) at these comma-separated times instead of the step table")
      ->type_name("T1,T2,...");
  app->add_flag("--summary", a->summary,
                "Output one row per curve: n, events, median and its interval, and the log-rank test");
  app->add_flag("--customers", a->customers,
                "With --transactions: output the per-customer durations instead of the curve");
  a->out.add_to(*app);
  app->footer(
      "Examples:\n"
      "  crmkit survival --durations remission.csv --duration-col weeks --event-col relapse --group-col arm\n"
      "  crmkit survival --transactions CDNOW_master.txt --inactive-days 180 --period week --summary\n"
      "Columns (csv/table):\n"
      "  default    group,time,n_risk,n_event,n_censor,survival,std_err,lower,upper\n"
      "  --summary  group,n,events,median,median_lower,median_upper,chi_square,df,p_value\n"
      "  --at       group,time,survival,std_err,lower,upper,n_risk\n"
      "  --customers customer_id,first_purchase,last_purchase,duration,event\n"
      "JSON: {conf_type, conf_level, curves: [{group, n, events, median, median_lower, median_upper, time,\n"
      "  n_risk, n_event, n_censor, survival, std_err, lower, upper, at?}], logrank (null with one curve)}\n"
      "  plus observation_end and inactive_days with --transactions. NaN (not reached) is null / nan.");

  commands.push_back({app, [a] {
    const bool from_tx = !a->tx.path.empty();
    if (from_tx == !a->durations.empty())
      throw UsageError("give exactly one of --durations FILE or --transactions FILE");
    if (!from_tx && a->customers) throw UsageError("--customers needs --transactions");
    if (from_tx && (!a->group_col.empty() || !a->weight_col.empty() || !a->duration_col.empty() || !a->event_col.empty()))
      throw UsageError("--duration-col, --event-col, --group-col and --weight-col go with --durations");
    churn::KaplanMeierOptions ko;
    ko.conf_type = churn::parse_conf_type(a->conf_type);
    ko.conf_level = a->conf_level;
    const std::vector<double> at = a->at.empty() ? std::vector<double>{} : parse_times(a->at);
    churn::DurationOptions dopt;
    if (from_tx) {
      dopt.inactive_days = a->inactive_days;
      dopt.period_days = summary::period_days(summary::parse_period(a->period));
      if (!a->observation_end.empty()) {
        dopt.has_observation_end = true;
        dopt.observation_end = parse_date_flag(a->observation_end, "--observation-end");
      }
    }

    std::vector<double> duration, event, weight;
    std::vector<std::uint32_t> group;
    std::vector<std::string> group_names;
    churn::CustomerDurations cd;
    const core::TransactionTable* table = nullptr;
    if (from_tx) {
      table = &keep_until_exit(a->tx.read());
      cd = churn::durations_from_transactions(table->view(), dopt);
      duration = cd.duration;
      event = cd.event;
    } else {
      const io::CsvTable t = io::read_table(a->durations);
      auto col = [&](const std::string& given, std::initializer_list<std::string_view> aliases, const char* what) {
        if (!given.empty()) return t.require({std::string_view(given)}, what);
        return t.require(aliases, what);
      };
      const std::size_t dc = col(a->duration_col, {"duration", "time", "tenure", "T"}, "the duration column");
      duration = t.numbers(dc);
      const std::size_t ec = col(a->event_col, {"event", "churned", "status", "observed"}, "the event column");
      for (std::int8_t b : t.booleans(ec)) event.push_back(b ? 1.0 : 0.0);
      for (std::size_t i = 0; i < duration.size(); ++i)
        if (duration[i] < 0) t.fail(i, dc, "a duration >= 0");
      if (!a->weight_col.empty()) {
        const std::size_t wc = t.require({std::string_view(a->weight_col)}, "the weight column");
        weight = t.numbers(wc);
        for (std::size_t i = 0; i < weight.size(); ++i)
          if (!(weight[i] > 0)) t.fail(i, wc, "a weight > 0");
      }
      if (!a->group_col.empty()) {
        const std::vector<std::string> labels = t.strings(t.require({std::string_view(a->group_col)}, "the group column"));
        group_names = labels;
        std::sort(group_names.begin(), group_names.end());
        group_names.erase(std::unique(group_names.begin(), group_names.end()), group_names.end());
        group.reserve(labels.size());
        for (const std::string& l : labels)
          group.push_back(static_cast<std::uint32_t>(
              std::lower_bound(group_names.begin(), group_names.end(), l) - group_names.begin()));
      }
    }

    if (a->customers) {
      OutputTable out;
      out.add("customer_id", customer_ids(*table, cd.customer));
      std::vector<std::string> first, last;
      for (std::size_t i = 0; i < cd.size(); ++i) {
        first.push_back(io::format_date(cd.first_day[i]));
        last.push_back(io::format_date(cd.last_day[i]));
      }
      const auto& f = keep_until_exit(std::move(first));
      const auto& l = keep_until_exit(std::move(last));
      out.add("first_purchase", std::vector<std::string_view>(f.begin(), f.end()));
      out.add("last_purchase", std::vector<std::string_view>(l.begin(), l.end()));
      out.add("duration", cd.duration, Style{2});
      std::vector<std::int64_t> ev(cd.event.begin(), cd.event.end());
      out.add("event", std::move(ev));
      write_output(out, a->out);
      return;
    }

    churn::SurvivalInput in;
    in.duration = duration;
    in.event = event;
    in.weight = weight;
    in.group = group;
    in.group_names = group_names;
    const churn::KaplanMeierResult km = churn::kaplan_meier(in, ko);

    if (a->out.format == "json") {
      nlohmann::json j = nlohmann::json::parse(churn::to_json(km, at));
      if (from_tx) {
        j["observation_end"] = io::format_date(cd.observation_end);
        j["inactive_days"] = a->inactive_days;
        j["period"] = a->period;
      }
      write_text(j.dump(2) + "\n", a->out.output);
      return;
    }
    OutputTable out;
    std::vector<std::string_view> gname;
    const Style p4{4};
    if (a->summary) {
      std::vector<double> n, ev, med, mlo, mhi, chi, df, p;
      for (const auto& c : km.curves) {
        gname.push_back(c.group);
        n.push_back(c.n);
        ev.push_back(c.events);
        med.push_back(c.median);
        mlo.push_back(c.median_lower);
        mhi.push_back(c.median_upper);
        chi.push_back(km.has_logrank ? km.logrank.chi_square : std::nan(""));
        df.push_back(km.has_logrank ? km.logrank.df : std::nan(""));
        p.push_back(km.has_logrank ? km.logrank.p_value : std::nan(""));
      }
      out.add("group", std::move(gname));
      out.add("n", std::move(n), Style{0});
      out.add("events", std::move(ev), Style{0});
      out.add("median", std::move(med));
      out.add("median_lower", std::move(mlo));
      out.add("median_upper", std::move(mhi));
      out.add("chi_square", std::move(chi), p4);
      out.add("df", std::move(df), Style{0});
      out.add("p_value", std::move(p), Style{6});
    } else if (!at.empty()) {
      std::vector<double> t, s, se, lo, hi, nr;
      for (const auto& c : km.curves) {
        const churn::SurvivalAt sa = churn::survival_at(c, at);
        for (std::size_t i = 0; i < at.size(); ++i) gname.push_back(c.group);
        t.insert(t.end(), sa.time.begin(), sa.time.end());
        s.insert(s.end(), sa.survival.begin(), sa.survival.end());
        se.insert(se.end(), sa.std_err.begin(), sa.std_err.end());
        lo.insert(lo.end(), sa.lower.begin(), sa.lower.end());
        hi.insert(hi.end(), sa.upper.begin(), sa.upper.end());
        nr.insert(nr.end(), sa.n_risk.begin(), sa.n_risk.end());
      }
      out.add("group", std::move(gname));
      out.add("time", std::move(t));
      out.add("survival", std::move(s), p4);
      out.add("std_err", std::move(se), p4);
      out.add("lower", std::move(lo), p4);
      out.add("upper", std::move(hi), p4);
      out.add("n_risk", std::move(nr), Style{0});
    } else {
      std::vector<double> cols[8];
      for (const auto& c : km.curves) {
        for (std::size_t i = 0; i < c.size(); ++i) gname.push_back(c.group);
        const std::vector<double>* src[8] = {&c.time, &c.n_risk, &c.n_event, &c.n_censor,
                                             &c.survival, &c.std_err, &c.lower, &c.upper};
        for (int k = 0; k < 8; ++k) cols[k].insert(cols[k].end(), src[k]->begin(), src[k]->end());
      }
      out.add("group", std::move(gname));
      static const char* names[8] = {"time", "n_risk", "n_event", "n_censor", "survival", "std_err", "lower", "upper"};
      for (int k = 0; k < 8; ++k) out.add(names[k], std::move(cols[k]), k >= 4 ? p4 : Style{k == 0 ? 2 : 0});
    }
    write_output(out, a->out);
  }});
}

CRMKIT_CLI_COMMAND(75, add_survival);

}  // namespace crmkit::cli
