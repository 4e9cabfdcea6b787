// crmkit rfm: recency / frequency / monetary values, 1..bins scores and segments per customer, or the
// segment summary.
#include <cmath>
#include <limits>
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/rfm/rfm.hpp"

namespace crmkit::cli {

namespace {

struct RfmArgs {
  TransactionArgs tx;
  OutputArgs out;
  std::string as_of, ties = "rank-first", monetary = "total", segments = "rf-grid";
  int bins = 5;
  bool segment_summary = false;
};

rfm::Segmentation load_segments(const RfmArgs& a) {
  if (a.segments == "rf-grid" || a.segments == "rfm-ranges") {
    auto seg = rfm::Segmentation::preset(a.segments);
    if (seg.bins != a.bins)
      throw UsageError("--segments " + a.segments + " is written for --bins " + std::to_string(seg.bins) +
                       "; with --bins " + std::to_string(a.bins) + " give a rules file (--segments FILE)");
    return seg;
  }
  return rfm::Segmentation::load(a.segments, a.bins);  // IoError / ParseError name the file
}

void write_segment_summary(const rfm::RfmTable& t, const std::vector<std::uint32_t>& idx,
                           const rfm::Segmentation& seg, const OutputArgs& out_args) {
  const bool table = out_args.format == "table";
  std::vector<std::string_view> name;
  std::vector<std::int64_t> customers;
  std::vector<double> cshare, rev, rshare, mrec, mfreq, mmon, mr, mf, mm;
  const auto rows = rfm::segment_summary(t, idx, seg);
  for (const auto& r : rows) {
    if (r.customers == 0 && r.segment == seg.fallback) continue;  // the unused catch-all is noise
    name.push_back(r.segment);
    customers.push_back(static_cast<std::int64_t>(r.customers));
    cshare.push_back(r.customer_share);
    rev.push_back(r.revenue);
    rshare.push_back(r.revenue_share);
    // In the table, an empty segment has no means: show "-" rather than 0.
    const double none = std::numeric_limits<double>::quiet_NaN();
    const bool empty = table && r.customers == 0;
    mrec.push_back(empty ? none : r.mean_recency);
    mfreq.push_back(empty ? none : r.mean_frequency);
    mmon.push_back(empty ? none : r.mean_monetary);
    mr.push_back(empty ? none : r.mean_r);
    mf.push_back(empty ? none : r.mean_f);
    mm.push_back(empty ? none : r.mean_m);
  }
  auto style = [](int decimals, bool grouped = false) {
    Style s;
    s.decimals = decimals;
    s.grouped = grouped;
    s.nan_text = "-";
    return s;
  };
  Style share = style(1);
  share.percent = true;
  OutputTable out;
  out.add("segment", std::move(name));
  out.add("customers", std::move(customers), style(0, true));
  out.add("customer_share", std::move(cshare), share);
  out.add("revenue", std::move(rev), style(2, true));
  out.add("revenue_share", std::move(rshare), share);
  out.add("mean_recency", std::move(mrec), style(1));
  out.add("mean_frequency", std::move(mfreq), style(2));
  out.add("mean_monetary", std::move(mmon), style(2, true));
  out.add("mean_r", std::move(mr), style(2));
  out.add("mean_f", std::move(mf), style(2));
  out.add("mean_m", std::move(mm), style(2));
  if (table) {
    // A totals row: all customers, all revenue, overall means.
    const std::size_t n = t.size();
    double spend = 0, sr = 0, sf = 0, sm = 0, vr = 0, vf = 0, vm = 0;
    for (std::size_t i = 0; i < n; ++i) {
      spend += t.total_spend[i];
      sr += t.recency[i];
      sf += t.frequency[i];
      sm += t.monetary[i];
      vr += t.r[i];
      vf += t.f[i];
      vm += t.m[i];
    }
    const double dn = n ? static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
    out.set_table_footer({"All customers", format_number(static_cast<double>(n), style(0, true)),
                          format_number(1.0, share), format_number(spend, style(2, true)),
                          format_number(spend > 0 ? 1.0 : 0.0, share), format_number(sr / dn, style(1)),
                          format_number(sf / dn, style(2)), format_number(sm / dn, style(2, true)),
                          format_number(vr / dn, style(2)), format_number(vf / dn, style(2)),
                          format_number(vm / dn, style(2))});
  }
  write_output(out, out_args);
}

}  // namespace

static void add_rfm(CLI::App& root, std::vector<Command>& commands) {
  auto a = std::make_shared<RfmArgs>();
  CLI::App* app = root.add_subcommand(
      "rfm", "RFM values, scores and segments per customer: customer_id,recency,frequency,monetary,r,f,m,segment "
             "(or a segment summary)");
  a->tx.add_to(*app);
  app->add_option("--as-of", a->as_of,
                  "Day recency is measured at (YYYY-MM-DD or YYYYMMDD); later transactions are ignored "
                  "(default: the day after the last transaction)")
      ->type_name("DATE");
  app->add_option("--bins", a->bins, "Scores run 1..N (2..100)")
      ->check(CLI::Range(2, 100))
      ->type_name("N")
      ->capture_default_str();
  app->add_option("--ties", a->ties,
                  "rank-first: equal-count bins, ties broken by first appearance (pandas qcut of "
                  "rank(method='first')); value-quantile: equal values share a score")
      ->check(CLI::IsMember({"rank-first", "value-quantile"}))
      ->capture_default_str();
  app->add_option("--monetary", a->monetary, "Monetary value: total spend, or mean spend per transaction")
      ->check(CLI::IsMember({"total", "mean"}))
      ->capture_default_str();
  app->add_option("--segments", a->segments,
                  "Segment rules: rf-grid (10 segments on the R-F grid), rfm-ranges (9 segments on R, F and "
                  "M), or a CSV rules file with header segment,r,f,m (docs/cli.md)")
      ->type_name("RULES")
      ->capture_default_str();
  app->add_flag("--segment-summary", a->segment_summary,
                "Print one row per segment instead: segment,customers,customer_share,revenue,revenue_share,"
                "mean_recency,mean_frequency,mean_monetary,mean_r,mean_f,mean_m");
  a->out.add_to(*app);
  app->footer(
      "Example:\n  crmkit rfm --transactions CDNOW_master.txt --customer-col customer_id --date-col date \\\n"
      "    --amount-col dollar_value --segment-summary --format table");

  commands.push_back({app, [a] {
    rfm::RfmOptions o;
    if (!a->as_of.empty()) o.as_of = parse_date_flag(a->as_of, "--as-of");
    o.bins = a->bins;
    o.ties = a->ties == "rank-first" ? rfm::TieMethod::RankFirst : rfm::TieMethod::ValueQuantile;
    o.monetary = a->monetary == "total" ? rfm::MonetaryKind::Total : rfm::MonetaryKind::Mean;
    const auto seg = load_segments(*a);

    const auto& table = keep_until_exit(a->tx.read());
    const auto t = rfm::compute(table.view(), o);
    if (t.size() == 0) warn("no customer has a transaction on or before the as-of day");
    const auto idx = rfm::assign(t, seg);
    if (a->segment_summary) {
      write_segment_summary(t, idx, seg, a->out);
      return;
    }
    const auto names = seg.names();
    std::vector<std::string_view> segs(t.size());
    for (std::size_t i = 0; i < t.size(); ++i) segs[i] = names[idx[i]];
    const Style whole{0};
    OutputTable out;
    out.add("customer_id", customer_ids(table, t.customer));
    out.add("recency", t.recency, whole);
    out.add("frequency", t.frequency, whole);
    out.add("monetary", t.monetary);
    out.add("r", t.r);
    out.add("f", t.f);
    out.add("m", t.m);
    out.add("segment", std::move(segs));
    write_output(out, a->out);
  }});
}

CRMKIT_CLI_COMMAND(30, add_rfm);

}  // namespace crmkit::cli
