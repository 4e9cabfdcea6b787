// Outputs of the analysis: customers.csv, summary.json and the self-contained report.html.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <ostream>
#include <sstream>
#include <string>

#include "crmkit/analysis/analysis.hpp"
#include "crmkit/analysis/svg.hpp"
#include "crmkit/core/error.hpp"
#include "crmkit/io/date.hpp"
#include "crmkit/version.hpp"

namespace crmkit::analysis {

namespace {

void put_double(std::string& out, double v) {
  if (!std::isfinite(v)) return;  // blank cell
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void put_csv_text(std::string& out, std::string_view t) {
  if (t.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += t;
    return;
  }
  out += '"';
  for (char ch : t) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
}

std::string pct(double share, int decimals = 0) {
  if (!std::isfinite(share)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f%%", decimals, share * 100);
  return buf;
}

std::string grouped(double v, int decimals = 0) {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, std::abs(v));
  std::string s(buf);
  const auto dot = s.find('.');
  std::string whole = s.substr(0, dot), frac = dot == std::string::npos ? "" : s.substr(dot);
  std::string g;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i && (whole.size() - i) % 3 == 0) g += ',';
    g += whole[i];
  }
  return (v < 0 ? "-" : "") + g + frac;
}

std::string fixed(double v, int decimals) {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

const char* kCss = R"css(
:root{--ink:#1d2330;--muted:#5b6475;--line:#d9dde5;--bg:#f6f7f9;--accent:#0072B2}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:var(--bg)}
header,main,footer{max-width:1040px;margin:0 auto;padding:0 20px}
header{padding-top:28px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:19px;margin:0 0 6px}
h3{font-size:15px;margin:14px 0 4px}
.sub{color:var(--muted);margin:0 0 18px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:12px;margin:0 0 22px}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.card .v{font-size:22px;font-weight:600}
.card .k{color:var(--muted);font-size:13px}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 18px;margin:0 0 18px}
.reading{margin:2px 0 10px;font-weight:500}
.figure{margin:8px 0 4px}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:14px}
@media (max-width:800px){.pair{grid-template-columns:1fr}}
svg.chart{width:100%;height:auto;display:block;font-size:11px;font-family:inherit}
svg .grid{stroke:#eceef2;stroke-width:1}
svg .axis{stroke:#8a93a3;stroke-width:1}
svg .marker{stroke:#D55E00;stroke-width:1.2;stroke-dasharray:4 3}
svg .reference{stroke:#9aa3b2;stroke-width:1;stroke-dasharray:3 3;fill:none}
svg .series{stroke-width:2}
svg .tick{fill:#5b6475}
svg .axis-label{fill:#1d2330;font-size:12px}
svg .legend{fill:#1d2330}
svg .quadrant{fill:#9aa3b2;font-size:12px;font-weight:600}
svg .cell{fill:#1d2330;font-size:10px}
svg .cell.dark{fill:#fff}
svg .point-label{fill:#1d2330;font-size:10px}
table{border-collapse:collapse;width:100%;font-size:13.5px;margin:6px 0}
th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:right}
th:first-child,td:first-child{text-align:left}
th{color:var(--muted);font-weight:600}
.notes li{margin:2px 0}
.muted{color:var(--muted)}
footer{color:var(--muted);font-size:12.5px;padding-bottom:30px}
@media print{body{background:#fff}section,.card{break-inside:avoid}}
)css";

struct Html {
  std::string s;
  void raw(std::string_view t) { s += t; }
  void text(std::string_view t) { s += svg::escape(t); }
  void tag(const char* open, std::string_view content, const char* close) {
    s += open;
    text(content);
    s += close;
  }
  void section(std::string_view id, std::string_view title, std::string_view reading) {
    s += "<section id=\"";
    text(id);
    s += "\"><h2>";
    text(title);
    s += "</h2><p class=\"reading\">";
    text(reading);
    s += "</p>";
  }
  void figure(const std::string& svg_text) {
    s += "<div class=\"figure\">";
    s += svg_text;
    s += "</div>";
  }
  void end_section() { s += "</section>"; }
};

std::string period_plural(summary::Period p) {
  return p == summary::Period::Day ? "days" : p == summary::Period::Week ? "weeks" : "months";
}

}  // namespace

void write_customers_csv(const Results& res, std::ostream& os) {
  const auto& c = res.customers;
  const bool model = !c.p_alive.empty(), value = !c.clv.empty();
  std::string out;
  out.reserve(1 << 20);
  out += "customer_id,rfm_recency,rfm_frequency,rfm_monetary,r_score,f_score,m_score,rfm_cell,segment,"
         "frequency,recency,T,monetary_value,total_spend,n_transactions,first_purchase,last_purchase,"
         "p_alive,churn_risk,expected_purchases,expected_spend,clv\n";
  for (std::size_t i = 0; i < c.size(); ++i) {
    put_csv_text(out, res.id(i));
    out += ',';
    put_double(out, c.rfm_recency[i]);
    out += ',';
    put_double(out, c.rfm_frequency[i]);
    out += ',';
    put_double(out, c.rfm_monetary[i]);
    out += ',';
    out += std::to_string(c.r[i]) + ',' + std::to_string(c.f[i]) + ',' + std::to_string(c.m[i]) + ',';
    out += std::to_string(c.r[i]) + std::to_string(c.f[i]) + std::to_string(c.m[i]);
    out += ',';
    put_csv_text(out, res.segment_names[c.segment[i]]);
    out += ',';
    put_double(out, c.frequency[i]);
    out += ',';
    put_double(out, c.recency[i]);
    out += ',';
    put_double(out, c.T[i]);
    out += ',';
    put_double(out, c.monetary_value[i]);
    out += ',';
    put_double(out, c.total_spend[i]);
    out += ',';
    out += std::to_string(c.n_transactions[i]);
    out += ',';
    out += io::format_date(c.first_purchase[i]);
    out += ',';
    out += io::format_date(c.last_purchase[i]);
    out += ',';
    if (model) put_double(out, c.p_alive[i]);
    out += ',';
    if (model) put_double(out, c.churn_risk[i]);
    out += ',';
    if (model) put_double(out, c.expected_purchases[i]);
    out += ',';
    if (value) put_double(out, c.expected_spend[i]);
    out += ',';
    if (value) put_double(out, c.clv[i]);
    out += '\n';
    if (out.size() > (1u << 20) - 512) {
      os.write(out.data(), static_cast<std::streamsize>(out.size()));
      out.clear();
    }
  }
  os.write(out.data(), static_cast<std::streamsize>(out.size()));
}

std::string render_report(const Results& res) {
  const auto& c = res.customers;
  const std::string unit = period_plural(res.period);
  Html h;
  h.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>");
  h.text(res.title);
  h.raw("</title><style>");
  h.raw(kCss);
  h.raw("</style></head><body><header><h1>");
  h.text(res.title);
  h.raw("</h1><p class=\"sub\">");
  h.text((res.source.empty() ? std::string("Transactions") : res.source) + " \xE2\x80\x94 " +
         grouped(static_cast<double>(res.n_transactions)) + " transactions from " + io::format_date(res.first_day) +
         " to " + io::format_date(res.as_of) + " (as of " + io::format_date(res.as_of) + ")");
  h.raw("</p></header><main>");

  // ---- headline cards ----
  auto card = [&](const std::string& value, const std::string& label) {
    h.raw("<div class=\"card\"><div class=\"v\">");
    h.text(value);
    h.raw("</div><div class=\"k\">");
    h.text(label);
    h.raw("</div></div>");
  };
  h.raw("<div class=\"cards\">");
  card(grouped(static_cast<double>(res.n_customers)), "customers");
  card(grouped(res.revenue), "revenue");
  card(pct(res.repeat_customer_share), "bought more than once");
  card(pct(res.top20_revenue_share), "of revenue from the top 20% of customers");
  if (!c.p_alive.empty()) {
    double alive = 0, expected = 0;
    for (std::size_t i = 0; i < c.size(); ++i) {
      alive += c.p_alive[i];
      expected += c.expected_purchases[i];
    }
    card(grouped(alive), "customers expected to be still active");
    card(grouped(expected), "purchases expected in the next " + std::to_string(res.horizon_months) + " months");
  }
  if (!c.clv.empty()) {
    double total = 0;
    for (double v : c.clv) total += v;
    card(grouped(total), std::to_string(res.horizon_months) + "-month customer lifetime value");
  }
  if (res.holdout && res.holdout->churn_scores.size() == 2)
    card(fixed(std::max(res.holdout->churn_scores[0].auc, res.holdout->churn_scores[1].auc), 3), "churn AUC in the holdout");
  h.raw("</div>");

  // ---- segments ----
  {
    std::vector<std::string> cats;
    svg::Series cs{"share of customers", {}}, rs{"share of revenue", {}};
    const rfm::SegmentSummaryRow* top = nullptr;
    for (const auto& r : res.segments) {
      if (r.customers == 0) continue;
      cats.push_back(r.segment);
      cs.values.push_back(r.customer_share);
      rs.values.push_back(r.revenue_share);
      if (!top || r.revenue_share > top->revenue_share) top = &r;
    }
    std::string reading = "The top 20% of customers by spend bring " + pct(res.top20_revenue_share) + " of revenue";
    if (top)
      reading += "; " + top->segment + " are " + pct(top->customer_share) + " of customers and bring " +
                 pct(top->revenue_share) + " of revenue.";
    h.section("segments", "RFM segments", reading);
    svg::BarChart bc;
    bc.axes = {"Segment sizes and revenue shares", "segment", "share", true};
    bc.categories = cats;
    bc.series = {cs, rs};
    h.figure(svg::bar_chart(bc));
    h.raw("<table><thead><tr><th>segment</th><th>customers</th><th>share</th><th>revenue</th><th>revenue share</th>"
          "<th>mean days since last purchase</th><th>mean purchases</th></tr></thead><tbody>");
    for (const auto& r : res.segments) {
      if (r.customers == 0) continue;
      h.raw("<tr><td>");
      h.text(r.segment);
      h.raw("</td><td>" + grouped(static_cast<double>(r.customers)) + "</td><td>" + pct(r.customer_share, 1) +
            "</td><td>" + grouped(r.revenue) + "</td><td>" + pct(r.revenue_share, 1) + "</td><td>" +
            fixed(r.mean_recency, 0) + "</td><td>" + fixed(r.mean_frequency, 1) + "</td></tr>");
    }
    h.raw("</tbody></table>");
    h.end_section();
  }

  // ---- transaction model: heatmaps ----
  if (res.transaction_model) {
    const auto& tm = *res.transaction_model;
    std::string params;
    for (std::size_t i = 0; i < tm.params.size(); ++i)
      params += (i ? ", " : "") + tm.param_names[i] + " = " + fixed(tm.params[i], 4);
    std::string why = res.selection == "holdout"      ? "chosen by its lower holdout error"
                      : res.selection == "likelihood" ? "chosen by its higher likelihood"
                                                      : "the only transaction model in this build";
    // P(alive) reading: share of customers with P(alive) < 0.5, among those who bought more than once.
    double low = 0, low_rep = 0, rep = 0;
    for (std::size_t i = 0; i < c.size(); ++i) {
      low += c.p_alive[i] < 0.5 ? 1 : 0;
      if (c.frequency[i] > 0) {
        rep += 1;
        low_rep += c.p_alive[i] < 0.5 ? 1 : 0;
      }
    }
    const double n = static_cast<double>(std::max<std::size_t>(c.size(), 1));
    h.section("model", "Who is still active",
              pct(low / n) + " of customers are more likely gone than active (P(alive) < 50%)" +
                  (rep > 0 ? ", " + pct(low_rep / rep) + " of those who bought more than once." : "."));
    h.raw("<p class=\"muted\">");
    h.text(tm.title + " (" + why + "; " + params + "; log-likelihood " + fixed(tm.log_likelihood, 1) +
           (tm.converged ? "" : "; the fit did not converge") + "). Time in " + unit + ".");
    h.raw("</p>");
    auto ticks = [](const std::vector<double>& v, int decimals) {
      std::vector<std::string> t;
      for (double x : v) t.push_back(fixed(x, decimals));
      return t;
    };
    const auto& gf = res.grid_frequency;
    const auto& gr = res.grid_recency;
    // Reading of the expected-purchases heatmap: the best cell.
    double best = 0;
    std::size_t bi = 0;
    for (std::size_t k = 0; k < res.grid_expected.size(); ++k)
      if (std::isfinite(res.grid_expected[k]) && res.grid_expected[k] > best) best = res.grid_expected[k], bi = k;
    h.raw("<div class=\"pair\"><div>");
    h.tag("<h3>", "P(alive) by frequency and recency", "</h3>");
    h.tag("<p class=\"reading\">",
          "Customers who bought often but not lately are the likeliest to have left: P(alive) falls as recency ages, "
          "faster for frequent buyers.",
          "</p>");
    svg::Heatmap hm;
    hm.axes = {"P(alive) by frequency and recency", "repeat purchases", "recency (" + unit + ")", true};
    hm.x_ticks = ticks(gf, 0);
    hm.y_ticks = ticks(gr, 0);
    hm.values = res.grid_p_alive;
    hm.value_label = "P(alive)";
    h.figure(svg::heatmap(hm));
    h.raw("</div><div>");
    h.tag("<h3>", "Expected purchases in the next " + std::to_string(res.horizon_months) + " months", "</h3>");
    h.tag("<p class=\"reading\">",
          "The most valuable pattern (" + fixed(gf.empty() ? 0 : gf[bi % gf.size()], 0) + " repeat purchases, last at " +
              fixed(gr.empty() ? 0 : gr[bi / std::max<std::size_t>(gf.size(), 1)], 0) + " " + unit + ") expects " +
              fixed(best, 1) + " purchases.",
          "</p>");
    hm.axes = {"Expected purchases by frequency and recency", "repeat purchases", "recency (" + unit + ")", false};
    hm.values = res.grid_expected;
    hm.value_label = "purchases";
    h.figure(svg::heatmap(hm));
    h.raw("</div></div>");
    if (res.candidates.size() > 1) {
      h.raw("<table><thead><tr><th>candidate</th><th>log-likelihood</th><th>holdout MAE</th></tr></thead><tbody>");
      for (const auto& cd : res.candidates) {
        h.raw("<tr><td>");
        h.text(cd.title.empty() ? cd.key : cd.title);
        h.raw("</td><td>" + (cd.ok ? fixed(cd.log_likelihood, 1) : std::string("failed")) + "</td><td>" +
              fixed(cd.holdout_mae, 4) + "</td></tr>");
      }
      h.raw("</tbody></table>");
    }
    h.end_section();
  }

  // ---- tracking and holdout ----
  if (res.holdout) {
    const Holdout& ho = *res.holdout;
    const double err = ho.actual_total > 0 ? (ho.predicted_total - ho.actual_total) / ho.actual_total : 0;
    h.section("holdout", "Calibration versus holdout",
              "Fitted up to " + io::format_date(ho.calibration_end) + ", the model predicted " +
                  grouped(ho.predicted_total) + " repeat purchases in the next " + fixed(ho.duration, 0) + " " + unit +
                  "; " + grouped(ho.actual_total) + " happened (" + (err >= 0 ? "+" : "") + pct(err, 1) + ").");
    h.raw("<div class=\"pair\"><div>");
    h.tag("<h3>", "Mean holdout purchases by calibration frequency", "</h3>");
    svg::BarChart bc;
    bc.axes = {"Calibration versus holdout", "repeat purchases in the calibration period", "purchases per customer", false};
    bc.categories = ho.frequency_labels;
    bc.series = {{"actual", ho.actual_by_frequency}, {"model", ho.predicted_by_frequency}};
    h.figure(svg::bar_chart(bc));
    h.raw("</div><div>");
    h.tag("<h3>", "Cumulative repeat purchases", "</h3>");
    svg::LineChart lc;
    lc.axes = {"Cumulative tracking, calibration and holdout", unit + " since the first purchase", "repeat purchases", false};
    lc.x = ho.tracking_t;
    lc.series = {{"actual", ho.tracking_actual}, {"model", ho.tracking_expected}};
    lc.marker_x = static_cast<double>(ho.calibration_end - res.first_day + 1) / summary::period_days(res.period);
    lc.marker_label = "calibration end";
    h.figure(svg::line_chart(lc));
    h.raw("</div></div>");
    h.end_section();
  } else if (res.tracking) {
    const Tracking& t = *res.tracking;
    const double a = t.actual.empty() ? 0 : t.actual.back(), e = t.expected.empty() ? 0 : t.expected.back();
    h.section("tracking", "Cumulative repeat purchases",
              "Over the whole period the model expects " + grouped(e) + " repeat purchases; " + grouped(a) +
                  " happened (" + (e >= a ? "+" : "") + pct(a > 0 ? (e - a) / a : 0, 1) +
                  "). Give --calibration-end to test it on data it has not seen.");
    svg::LineChart lc;
    lc.axes = {"Cumulative tracking", unit + " since the first purchase", "repeat purchases", false};
    lc.x = t.t;
    lc.series = {{"actual", t.actual}, {"model", t.expected}};
    h.figure(svg::line_chart(lc));
    h.end_section();
  }

  // ---- CLV ----
  if (!c.clv.empty()) {
    std::vector<std::size_t> order(c.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return c.clv[a] > c.clv[b] || (c.clv[a] == c.clv[b] && a < b);
    });
    double total = 0, top = 0;
    for (double v : c.clv) total += v;
    const std::size_t k20 = static_cast<std::size_t>(std::ceil(0.2 * static_cast<double>(c.size())));
    for (std::size_t i = 0; i < k20; ++i) top += c.clv[order[i]];
    h.section("clv", "Customer lifetime value",
              "The top 20% of customers hold " + pct(total > 0 ? top / total : 0) + " of the " +
                  std::to_string(res.horizon_months) + "-month value of " + grouped(total) + ".");
    const auto& sm = *res.spend_model;
    std::string params;
    for (std::size_t i = 0; i < sm.params.size(); ++i)
      params += (i ? ", " : "") + sm.param_names[i] + " = " + fixed(sm.params[i], 4);
    h.raw("<p class=\"muted\">");
    h.text("Gamma-Gamma spend model (" + params + "), monthly discount rate " + fixed(res.discount_rate, 3) +
           ", margin " + fixed(res.margin, 2) + "; CLV = margin x expected spend x discounted expected purchases." +
           (std::abs(res.frequency_spend_correlation) > 0.3
                ? " Warning: frequency and spend are correlated (r = " + fixed(res.frequency_spend_correlation, 2) +
                      "); the spend model assumes they are not."
                : ""));
    h.raw("</p>");
    // Histogram up to the 99th percentile so that a few whales do not flatten it.
    const double cap = c.clv[order[std::min(c.size() - 1, static_cast<std::size_t>(0.01 * static_cast<double>(c.size())))]];
    svg::Histogram hg;
    hg.axes = {"CLV distribution", "CLV (values above the 99th percentile in the last bar)", "customers", false};
    hg.values = c.clv;
    hg.bins = 40;
    hg.lo = 0;
    hg.hi = cap > 0 ? cap : 1;
    h.figure(svg::histogram(hg));
    h.tag("<h3>", "Top customers", "</h3>");
    h.raw("<table><thead><tr><th>customer</th><th>segment</th><th>purchases</th><th>spend so far</th>"
          "<th>P(alive)</th><th>expected purchases</th><th>CLV</th></tr></thead><tbody>");
    const std::size_t shown = std::min<std::size_t>(c.size(), 10);
    for (std::size_t j = 0; j < shown; ++j) {
      const std::size_t i = order[j];
      h.raw("<tr><td>");
      h.text(res.id(i));
      h.raw("</td><td>");
      h.text(res.segment_names[c.segment[i]]);
      h.raw("</td><td>" + grouped(c.frequency[i] + 1) + "</td><td>" + grouped(c.total_spend[i], 2) + "</td><td>" +
            pct(c.p_alive[i], 0) + "</td><td>" + fixed(c.expected_purchases[i], 1) + "</td><td>" +
            grouped(c.clv[i], 2) + "</td></tr>");
    }
    h.raw("</tbody></table>");
    h.end_section();
  }

  // ---- churn ----
  if (res.holdout && res.holdout->churn_scores.size() == 2) {
    const Holdout& ho = *res.holdout;
    const ChurnScore& pa = ho.churn_scores[0];
    const ChurnScore& ep = ho.churn_scores[1];
    const ChurnScore& better = (std::isfinite(ep.auc) && !(pa.auc > ep.auc)) ? ep : pa;
    h.section("churn", "Churn risk",
              pct(ho.churn_rate) + " of customers bought nothing in the holdout. Contacting the riskiest 10% by " +
                  better.name + " reaches " + fixed(better.lift.empty() ? 0 : better.lift.front(), 1) +
                  "x as many of them as contacting at random (AUC " + fixed(better.auc, 3) + "; 1 - P(alive) alone: AUC " +
                  fixed(pa.auc, 3) + ").");
    h.raw("<p class=\"muted\">");
    h.text("Scores are computed at the calibration end and checked against the holdout. The BG/NBD model gives "
           "customers who never bought again P(alive) = 1 (it assumes nobody leaves before a repeat purchase), so "
           "1 - P(alive) ranks one-time buyers as safe; the expected number of purchases ranks them correctly. "
           "customers.csv carries both: churn_risk = 1 - P(alive) and expected_purchases.");
    h.raw("</p><div class=\"pair\"><div>");
    h.tag("<h3>", "ROC curves", "</h3>");
    svg::LineChart roc;
    roc.axes = {"ROC of the churn scores", "false positive rate", "true positive rate", true};
    roc.diagonal = true;
    for (const ChurnScore* cs : {&ep, &pa}) {
      svg::Series sr{cs->name, {}};
      std::vector<double> xs;
      for (const auto& p : cs->roc) {
        xs.push_back(p.x);
        sr.values.push_back(p.y);
      }
      roc.series.push_back(std::move(sr));
      roc.series_x.push_back(std::move(xs));
    }
    h.figure(svg::line_chart(roc));
    h.raw("</div><div>");
    h.tag("<h3>", "Cumulative gains", "</h3>");
    svg::LineChart gains;
    gains.axes = {"Cumulative gains", "share of customers contacted (riskiest first)", "share of churners reached", true};
    gains.diagonal = true;
    for (const ChurnScore* cs : {&ep, &pa}) {
      svg::Series sr{cs->name, {}};
      std::vector<double> xs;
      for (const auto& p : cs->gains) {
        xs.push_back(p.x);
        sr.values.push_back(p.y);
      }
      gains.series.push_back(std::move(sr));
      gains.series_x.push_back(std::move(xs));
    }
    h.figure(svg::line_chart(gains));
    h.raw("</div></div>");
    h.tag("<h3>", "Lift by decile of risk", "</h3>");
    svg::BarChart lift;
    lift.axes = {"Lift by decile", "decile (1 = riskiest 10%)", "lift", false};
    for (int d = 1; d <= static_cast<int>(ep.lift.size()); ++d) lift.categories.push_back(std::to_string(d));
    lift.series = {{ep.name, ep.lift}, {pa.name, pa.lift}};
    h.figure(svg::bar_chart(lift));
    h.end_section();
  } else if (!c.churn_risk.empty()) {
    double high = 0;
    for (double r : c.churn_risk) high += r > 0.5 ? 1 : 0;
    h.section("churn", "Churn risk",
              pct(high / static_cast<double>(std::max<std::size_t>(c.size(), 1))) +
                  " of customers have a churn risk above 50%. Give --calibration-end to evaluate the risk "
                  "against what customers did next (ROC, gains, lift).");
    svg::Histogram hg;
    hg.axes = {"Churn risk distribution", "churn risk = 1 - P(alive)", "customers", false};
    hg.values = c.churn_risk;
    hg.bins = 20;
    hg.lo = 0;
    hg.hi = 1;
    h.figure(svg::histogram(hg));
    h.end_section();
  }

  // ---- notes ----
  if (!res.notes.empty()) {
    h.raw("<section id=\"notes\"><h2>Not in this report</h2><ul class=\"notes\">");
    for (const auto& n : res.notes) {
      h.raw("<li><strong>");
      h.text(n.section);
      h.raw("</strong>: ");
      h.text(n.text);
      h.raw("</li>");
    }
    h.raw("</ul></section>");
  }
  h.raw("</main><footer>");
  h.text(std::string("Made by crmkit ") + CRMKIT_VERSION_STRING +
         ". Per-customer results are in customers.csv and the headline numbers in summary.json "
         "(docs/report.md explains every column).");
  h.raw("</footer></body></html>\n");
  return std::move(h.s);
}

Written write_outputs(const Results& res, const std::string& directory) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(directory, ec);
  if (ec || !fs::is_directory(directory)) throw IoError(directory, "cannot create the output directory" + (ec ? ": " + ec.message() : std::string()));
  Written w;
  const fs::path dir(directory);
  w.customers_csv = (dir / "customers.csv").string();
  w.summary_json = (dir / "summary.json").string();
  w.report_html = (dir / "report.html").string();
  auto open = [](const std::string& path) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) throw IoError(path, "cannot open for writing");
    return f;
  };
  auto close = [](std::ofstream& f, const std::string& path) {
    f.close();
    if (!f) throw IoError(path, "write failed");
  };
  {
    auto f = open(w.customers_csv);
    write_customers_csv(res, f);
    close(f, w.customers_csv);
  }
  {
    auto f = open(w.summary_json);
    f << res.summary_json().dump(2) << '\n';
    close(f, w.summary_json);
  }
  {
    auto f = open(w.report_html);
    f << render_report(res);
    close(f, w.report_html);
  }
  return w;
}

}  // namespace crmkit::analysis
