// crmkit rfm: recency / frequency / monetary values, 1..bins scores and segments, or the segment summary.
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "crmkit/rfm/rfm.hpp"

namespace crmkit::cli {

void add_rfm(CLI::App& root, std::vector<Command>& commands) {
  struct Args {
    TransactionArgs tx;
    OutputArgs out;
    std::string as_of, ties = "rank-first", monetary = "total", segments = "rf-grid";
    int bins = 5;
    bool segment_summary = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* app = root.add_subcommand(
      "rfm", "RFM values, scores and segments: customer_id,recency,frequency,monetary,r,f,m,segment");
  a->tx.add_to(*app);
  app->add_option("--as-of", a->as_of,
                  "Day the recency is measured at (YYYY-MM-DD); later transactions are ignored; "
                  "default: the day after the last transaction");
  app->add_option("--bins", a->bins, "Scores run 1..bins")->check(CLI::Range(2, 100))->capture_default_str();
  app->add_option("--ties", a->ties,
                  "rank-first: balanced bins, ties broken by first appearance (pandas qcut of rank(method='first')); "
                  "value-quantile: equal values share a score")
      ->check(CLI::IsMember({"rank-first", "value-quantile"}))
      ->capture_default_str();
  app->add_option("--monetary", a->monetary, "Monetary value: total spend or mean per transaction")
      ->check(CLI::IsMember({"total", "mean"}))
      ->capture_default_str();
  app->add_option("--segments", a->segments,
                  "Segment rules: rf-grid (10 R-F segments), rfm-ranges, or a CSV file 'segment,r,f,m'")
      ->capture_default_str();
  app->add_flag("--segment-summary", a->segment_summary,
                "Print one row per segment (customers, shares of customers and revenue, mean R/F/M) instead");
  a->out.add_to(*app);
  commands.push_back({app, [a] {
    const auto table = a->tx.read();
    rfm::RfmOptions o;
    if (!a->as_of.empty()) o.as_of = parse_date_flag(a->as_of, "--as-of");
    o.bins = a->bins;
    o.ties = a->ties == "rank-first" ? rfm::TieMethod::RankFirst : rfm::TieMethod::ValueQuantile;
    o.monetary = a->monetary == "total" ? rfm::MonetaryKind::Total : rfm::MonetaryKind::Mean;
    const auto t = rfm::compute(table.view(), o);
    const auto seg = (a->segments == "rf-grid" || a->segments == "rfm-ranges") ? rfm::Segmentation::preset(a->segments)
                                                                               : rfm::Segmentation::load(a->segments, a->bins);
    const auto idx = rfm::assign(t, seg);
    const auto names = seg.names();
    std::vector<Column> cols;
    if (a->segment_summary) {
      const auto rows = rfm::segment_summary(t, idx, seg);
      std::vector<std::string> name;
      std::vector<std::int64_t> customers;
      std::vector<double> cshare, rev, rshare, mrec, mfreq, mmon, mr, mf, mm;
      for (const auto& r : rows) {
        name.push_back(r.segment);
        customers.push_back(static_cast<std::int64_t>(r.customers));
        cshare.push_back(r.customer_share);
        rev.push_back(r.revenue);
        rshare.push_back(r.revenue_share);
        mrec.push_back(r.mean_recency);
        mfreq.push_back(r.mean_frequency);
        mmon.push_back(r.mean_monetary);
        mr.push_back(r.mean_r);
        mf.push_back(r.mean_f);
        mm.push_back(r.mean_m);
      }
      cols.push_back({"segment", std::move(name)});
      cols.push_back({"customers", std::move(customers)});
      cols.push_back({"customer_share", std::move(cshare), 1, true});
      cols.push_back({"revenue", std::move(rev), 2});
      cols.push_back({"revenue_share", std::move(rshare), 1, true});
      cols.push_back({"mean_recency", std::move(mrec), 1});
      cols.push_back({"mean_frequency", std::move(mfreq), 2});
      cols.push_back({"mean_monetary", std::move(mmon), 2});
      cols.push_back({"mean_r", std::move(mr), 2});
      cols.push_back({"mean_f", std::move(mf), 2});
      cols.push_back({"mean_m", std::move(mm), 2});
    } else {
      const std::size_t n = t.size();
      std::vector<std::string> ids(n), segs(n);
      std::vector<std::int64_t> rec(n), freq(n), r(n), f(n), m(n);
      for (std::size_t i = 0; i < n; ++i) {
        ids[i] = table.ids.decode(t.customer[i]);
        segs[i] = names[idx[i]];
        rec[i] = static_cast<std::int64_t>(t.recency[i]);
        freq[i] = static_cast<std::int64_t>(t.frequency[i]);
        r[i] = t.r[i];
        f[i] = t.f[i];
        m[i] = t.m[i];
      }
      cols.push_back({"customer_id", std::move(ids)});
      cols.push_back({"recency", std::move(rec)});
      cols.push_back({"frequency", std::move(freq)});
      cols.push_back({"monetary", t.monetary});
      cols.push_back({"r", std::move(r)});
      cols.push_back({"f", std::move(f)});
      cols.push_back({"m", std::move(m)});
      cols.push_back({"segment", std::move(segs)});
    }
    write_table(cols, a->out);
  }});
}

}  // namespace crmkit::cli
