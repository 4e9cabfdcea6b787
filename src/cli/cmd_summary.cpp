// crmkit summary: per-customer frequency, recency, T and monetary value (lifetimes' column names), with
// optional calibration / holdout split.
#include <algorithm>
#include <limits>
#include <memory>
#include <optional>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/io/date.hpp"
#include "crmkit/summary/state.hpp"
#include "crmkit/summary/summary.hpp"

namespace crmkit::cli {

namespace {

struct SummaryArgs {
  TransactionArgs tx;
  OutputArgs out;
  std::string period = "day", observation_end, calibration_end;
  std::string state_in, state_out;
};

// Prints how many rows a state build or refresh took and left out (stderr).
void note_state(const summary::StateReport& rep, const summary::State& st, bool refresh) {
  std::string m = "crmkit: note: state: " + std::string(refresh ? "added " : "built from ") +
                  std::to_string(rep.rows_added) + " rows (" + std::to_string(rep.customers_new) +
                  (rep.customers_new == 1 ? " new customer); " : " new customers); ") +
                  std::to_string(st.size()) + " customers, " + std::to_string(st.rows()) + " rows, observed to " +
                  io::format_date(st.observation_end());
  if (rep.rows_after_end > 0)
    m += "; " + std::to_string(rep.rows_after_end) + " rows after the observation end left out (not in the state)";
  m += '\n';
  std::fputs(m.c_str(), stderr);
}

// summary with --state-in and/or --state-out: the state is built from the log, or loaded and refreshed
// with it, or loaded alone; its summary is printed and it is saved when asked.
void summarize_state(const SummaryArgs& a, const summary::SummaryOptions& so) {
  std::optional<summary::State> st;
  if (!a.state_in.empty()) st = summary::State::load(a.state_in);
  if (!a.tx.path.empty()) {
    // a refresh may bring a day without sales: its log is a header alone
    const auto& table = keep_until_exit(a.tx.read(st.has_value()));
    summary::StateReport rep;
    if (st) {
      try {
        st->add(table, so.observation_end, &rep);
      } catch (const InvalidArgument& e) {
        throw Error(a.tx.path + ": " + e.argument() + ": " + e.value() + " " + e.rule());
      }
    } else {
      st = summary::State::from_transactions(table, so.observation_end, &rep);
    }
    note_state(rep, *st, !a.state_in.empty());
  } else if (so.observation_end && *so.observation_end != st->observation_end()) {
    throw UsageError("--observation-end " + a.observation_end + " differs from the state's observation end " +
                     io::format_date(st->observation_end()) + ": a state's end moves only with new transactions "
                     "(give --transactions)");
  }
  if (!a.state_out.empty()) st->save(a.state_out);
  const summary::CustomerSummary c = st->summary(so.period);
  if (c.size() == 0) warn("the state holds no customer");
  const Style days{so.period == summary::Period::Day ? 0 : 2};
  OutputTable out;
  std::vector<std::string_view> ids;
  ids.reserve(c.size());
  for (std::uint32_t code : c.customer) ids.emplace_back(st->ids().decode(code));
  out.add("customer_id", std::move(ids));
  out.add("frequency", c.frequency, Style{0});
  out.add("recency", c.recency, days);
  out.add("T", c.T, days);
  if (st->amounts()) out.add("monetary_value", c.monetary_value);
  write_output(out, a.out);
}

}  // namespace

static void add_summary(CLI::App& root, std::vector<Command>& commands) {
  using Args = SummaryArgs;
  auto a = std::make_shared<Args>();
  CLI::App* app = root.add_subcommand(
      "summary",
      "Per-customer summary: customer_id,frequency,recency,T,monetary_value "
      "(+ frequency_holdout,duration_holdout,monetary_value_holdout with --calibration-end)");
  a->tx.add_to(*app, true, false);
  app->add_option("--period", a->period, "Unit of recency, T and duration_holdout: day, week (7 days) or "
                                         "month (30.4375 days)")
      ->check(CLI::IsMember({"day", "week", "month"}))
      ->capture_default_str();
  app->add_option("--observation-end", a->observation_end,
                  "Last day observed, inclusive (YYYY-MM-DD or YYYYMMDD); later transactions are ignored "
                  "(default: the last transaction's day)")
      ->type_name("DATE");
  app->add_option("--calibration-end", a->calibration_end,
                  "Last day of the calibration period, inclusive: the summary covers the calibration "
                  "period and holdout columns describe (DATE, observation end]")
      ->type_name("DATE");
  app->add_option("--state-in", a->state_in,
                  "A summary state saved by --state-out: with --transactions, the transactions are added to it "
                  "(a refresh: on or after each held customer's last purchase day); without, its own summary "
                  "is printed")
      ->type_name("STATE");
  app->add_option("--state-out", a->state_out,
                  "Save the customer-keyed summary state (of --transactions, or --state-in refreshed) to STATE, "
                  "for a later refresh (--state-in) or merge (crmkit merge)")
      ->type_name("STATE");
  a->out.add_to(*app);
  app->footer(
      "Example:\n  crmkit summary --transactions orders.csv --customer-col customer_id --date-col date \\\n"
      "    --amount-col amount --period week --calibration-end 1997-09-30 --observation-end 1998-06-30\n"
      "Daily refresh:\n  crmkit summary --transactions day1.csv --state-out s.state -o summary.csv\n"
      "  crmkit summary --state-in s.state --transactions day2.csv --state-out s.state -o summary.csv");

  commands.push_back({app, [a] {
    // Options first, so a bad flag is a usage error whatever the data.
    summary::SummaryOptions so;
    so.period = summary::parse_period(a->period);
    if (!a->observation_end.empty()) so.observation_end = parse_date_flag(a->observation_end, "--observation-end");
    std::optional<std::int64_t> cal;
    if (!a->calibration_end.empty()) cal = parse_date_flag(a->calibration_end, "--calibration-end");
    if (cal && so.observation_end && *cal >= *so.observation_end)
      throw UsageError("--calibration-end " + a->calibration_end + " must be before --observation-end " +
                       a->observation_end);

    if (a->tx.path.empty() && a->state_in.empty())
      throw UsageError("summary needs --transactions FILE, or --state-in STATE (or both: a refresh)");
    if (cal && (!a->state_in.empty() || !a->state_out.empty()))
      throw UsageError("--calibration-end cannot be used with --state-in or --state-out: a state holds the "
                       "summary up to its observation end; summarise the log itself for a calibration split");
    if (!a->state_in.empty() || !a->state_out.empty()) {
      summarize_state(*a, so);
      return;
    }

    const auto& table = keep_until_exit(a->tx.read());
    if (cal && !so.observation_end) {
      // The observation end defaults to the last transaction's day: check the split against it here,
      // so the message speaks in dates and flags.
      std::int64_t last = std::numeric_limits<std::int64_t>::min();
      for (std::int64_t t : table.time) last = std::max(last, core::to_day(t, table.time_unit));
      if (*cal >= last)
        throw UsageError("--calibration-end " + a->calibration_end + " must be before the observation end " +
                         io::format_date(last) + " (the last transaction's day; see --observation-end)");
    }
    std::optional<summary::HoldoutSummary> h;
    summary::CustomerSummary s;
    if (cal) h = summary::summarize_holdout(table.view(), *cal, so);
    else s = summary::summarize(table.view(), so);
    const summary::CustomerSummary& c = h ? h->calibration : s;
    if (c.size() == 0) warn("no customer has a transaction in the period summarised");

    const Style days{so.period == summary::Period::Day ? 0 : 2};
    OutputTable out;
    out.add("customer_id", customer_ids(table, c.customer));
    out.add("frequency", c.frequency, Style{0});
    out.add("recency", c.recency, days);
    out.add("T", c.T, days);
    const bool amounts = !table.amount.empty();  // --no-amount: no spend columns
    if (amounts) out.add("monetary_value", c.monetary_value);
    if (h) {
      out.add("frequency_holdout", h->frequency_holdout, Style{0});
      out.add("duration_holdout", std::vector<double>(c.size(), h->duration_holdout), days);
      if (amounts) out.add("monetary_value_holdout", h->monetary_holdout);
    }
    write_output(out, a->out);
  }});
}

CRMKIT_CLI_COMMAND(20, add_summary);

}  // namespace crmkit::cli
