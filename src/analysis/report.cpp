// Outputs of the analysis: customers.csv, summary.json and the self-contained report.html.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <ostream>
#include <sstream>
#include <string>

#include "crmkit/analysis/analysis.hpp"
#include "crmkit/analysis/svg.hpp"
#include "crmkit/core/error.hpp"
#include "crmkit/io/date.hpp"
#include "crmkit/version.hpp"

#include <nlohmann/json.hpp>

namespace crmkit::analysis {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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

const char* category_name(kano::Category c) {
  switch (c) {
    case kano::Category::A: return "attractive";
    case kano::Category::O: return "one-dimensional";
    case kano::Category::M: return "must-be";
    case kano::Category::I: return "indifferent";
    case kano::Category::R: return "reverse";
    case kano::Category::Q: return "questionable";
  }
  return "";
}

// Features in roadmap priority order (1 first).
std::vector<const kano::FeatureResult*> by_priority(const kano::KanoResult& r) {
  std::vector<const kano::FeatureResult*> order;
  for (const auto& f : r.features) order.push_back(&f);
  std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->priority < b->priority; });
  return order;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += items[i];
  }
  return out;
}

std::string period_plural(summary::Period p) {
  return p == summary::Period::Day ? "days" : p == summary::Period::Week ? "weeks" : "months";
}

}  // namespace

void write_customers_csv(const Results& res, std::ostream& os) {
  const auto& c = res.customers;
  const bool model = !c.p_alive.empty(), value = !c.clv.empty(), logistic = !c.churn_probability.empty(),
             contacts = !c.interactions.empty();
  std::string out;
  out.reserve(1 << 20);
  out += "customer_id,rfm_recency,rfm_frequency,rfm_monetary,r_score,f_score,m_score,rfm_cell,segment,"
         "frequency,recency,T,monetary_value,total_spend,n_transactions,first_purchase,last_purchase,"
         "p_alive,churn_risk,expected_purchases,expected_spend,clv,churn_probability,interactions\n";
  for (std::size_t i = 0; i < c.size(); ++i) {
    put_csv_text(out, res.id(i));
    out += ',';
    put_double(out, c.rfm_recency[i]);
    out += ',';
    put_double(out, c.rfm_frequency[i]);
    out += ',';
    // without amounts (res.amounts false) the money columns and the M score are empty cells
    if (res.amounts) put_double(out, c.rfm_monetary[i]);
    out += ',';
    out += std::to_string(c.r[i]) + ',' + std::to_string(c.f[i]) + ',';
    if (res.amounts) out += std::to_string(c.m[i]);
    out += ',';
    if (res.amounts) out += std::to_string(c.r[i]) + std::to_string(c.f[i]) + std::to_string(c.m[i]);
    out += ',';
    put_csv_text(out, res.segment_names[c.segment[i]]);
    out += ',';
    put_double(out, c.frequency[i]);
    out += ',';
    put_double(out, c.recency[i]);
    out += ',';
    put_double(out, c.T[i]);
    out += ',';
    if (res.amounts) put_double(out, c.monetary_value[i]);
    out += ',';
    if (res.amounts) put_double(out, c.total_spend[i]);
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
    out += ',';
    if (logistic) put_double(out, c.churn_probability[i]);
    out += ',';
    if (contacts) put_double(out, c.interactions[i]);
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
  if (res.amounts) card(grouped(res.revenue), "revenue");
  card(pct(res.repeat_customer_share), "bought more than once");
  if (res.amounts) card(pct(res.top20_revenue_share), "of revenue from the top 20% of customers");
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
  if (res.holdout && res.holdout->churn_scores.size() >= 2) {
    double best = res.holdout->churn_scores[0].auc;
    for (const auto& cs : res.holdout->churn_scores)
      if (std::isfinite(cs.auc) && !(best >= cs.auc)) best = cs.auc;
    card(fixed(best, 3), "churn AUC in the holdout");
  }
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
      if (!res.amounts && r.customers > top->customers) top = &r;
    }
    std::string reading;
    if (res.amounts) {
      reading = "The top 20% of customers by spend bring " + pct(res.top20_revenue_share) + " of revenue";
      if (top)
        reading += "; " + top->segment + " are " + pct(top->customer_share) + " of customers and bring " +
                   pct(top->revenue_share) + " of revenue.";
    } else {
      reading = "The log has no amounts: segments by recency and frequency alone";
      if (top) reading += "; the largest, " + top->segment + ", holds " + pct(top->customer_share) + " of customers.";
    }
    h.section("segments", "RFM segments", reading);
    svg::BarChart bc;
    bc.axes = {res.amounts ? "Segment sizes and revenue shares" : "Segment sizes", "segment", "share", true};
    bc.categories = cats;
    bc.series = res.amounts ? std::vector<svg::Series>{cs, rs} : std::vector<svg::Series>{cs};
    h.figure(svg::bar_chart(bc));
    h.raw(std::string("<table><thead><tr><th>segment</th><th>customers</th><th>share</th>") +
          (res.amounts ? "<th>revenue</th><th>revenue share</th>" : "") +
          "<th>mean days since last purchase</th><th>mean purchases</th></tr></thead><tbody>");
    for (const auto& r : res.segments) {
      if (r.customers == 0) continue;
      h.raw("<tr><td>");
      h.text(r.segment);
      h.raw("</td><td>" + grouped(static_cast<double>(r.customers)) + "</td><td>" + pct(r.customer_share, 1) +
            (res.amounts ? "</td><td>" + grouped(r.revenue) + "</td><td>" + pct(r.revenue_share, 1) : std::string()) +
            "</td><td>" + fixed(r.mean_recency, 0) + "</td><td>" + fixed(r.mean_frequency, 1) + "</td></tr>");
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
  if (res.holdout && res.holdout->churn_scores.size() >= 2) {
    const Holdout& ho = *res.holdout;
    const ChurnScore& pa = ho.churn_scores[0];
    // Drawn best first: the logistic model (when fitted), the fewest expected purchases, 1 - P(alive).
    std::vector<const ChurnScore*> drawn;
    for (std::size_t k = ho.churn_scores.size(); k-- > 0;) drawn.push_back(&ho.churn_scores[k]);
    const ChurnScore* better = &pa;
    for (const ChurnScore* cs : drawn)
      if (std::isfinite(cs->auc) && !(better->auc >= cs->auc)) better = cs;
    h.section("churn", "Churn risk",
              pct(ho.churn_rate) + " of customers bought nothing in the holdout. Contacting the riskiest 10% by " +
                  better->name + " reaches " + fixed(better->lift.empty() ? 0 : better->lift.front(), 1) +
                  "x as many of them as contacting at random (AUC " + fixed(better->auc, 3) + "; 1 - P(alive) alone: AUC " +
                  fixed(pa.auc, 3) + ").");
    h.raw("<p class=\"muted\">");
    h.text("Scores are computed at the calibration end and checked against the holdout. The BG/NBD model gives "
           "customers who never bought again P(alive) = 1 (it assumes nobody leaves before a repeat purchase), so "
           "1 - P(alive) ranks one-time buyers as safe; the expected number of purchases ranks them correctly. "
           "customers.csv carries both: churn_risk = 1 - P(alive) and expected_purchases.");
    h.raw("</p>");
    if (res.churn_model) {
      const ChurnModel& m = *res.churn_model;
      std::string coefs;
      for (std::size_t i = 0; i < m.feature_names.size(); ++i) {
        if (i) coefs += ", ";
        coefs += m.feature_names[i];
        coefs += ' ';
        coefs += (m.std_coef[i] >= 0 ? "+" : "");
        coefs += fixed(m.std_coef[i], 2);
      }
      h.raw("<p class=\"muted\">");
      h.text("The logistic model predicts \"no purchase in the next " + fixed(m.horizon, 0) + " " + unit +
             "\" from the calibration summary's frequency, recency" + (res.amounts ? ", T and monetary value" : " and T") +
             " (standardised, L2, C = 1). "
             "Its scores here are out-of-fold (" + std::to_string(m.folds) +
             "-fold cross-validation: no customer is scored by a model fitted on it); coefficients per standard "
             "deviation: " + coefs + ". customers.csv's churn_probability applies it at the as-of day.");
      h.raw("</p>");
    }
    h.raw("<table><thead><tr><th>score</th><th>AUC</th><th>top-decile lift</th></tr></thead><tbody>");
    for (const ChurnScore* cs : drawn) {
      h.raw("<tr><td>");
      h.text(cs->name);
      h.raw("</td><td>" + fixed(cs->auc, 3) + "</td><td>" + fixed(cs->lift.empty() ? kNaN : cs->lift.front(), 2) +
            "</td></tr>");
    }
    h.raw("</tbody></table>");
    auto legend = [](const ChurnScore& cs) { return cs.name + " (AUC " + fixed(cs.auc, 3) + ")"; };
    h.raw("<div class=\"pair\"><div>");
    h.tag("<h3>", "ROC curves", "</h3>");
    h.tag("<p class=\"reading\">",
          "The higher a curve bows above the diagonal, the better the score separates leavers from stayers; " +
              better->name + " does best (AUC " + fixed(better->auc, 3) + ").",
          "</p>");
    svg::LineChart roc;
    roc.axes = {"ROC of the churn scores", "false positive rate", "true positive rate", true};
    roc.diagonal = true;
    for (const ChurnScore* cs : drawn) {
      svg::Series sr{legend(*cs), {}};
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
    auto gain_at = [](const ChurnScore& cs, double x) {
      for (std::size_t i = 1; i < cs.gains.size(); ++i)
        if (cs.gains[i].x >= x) {
          const Point a = cs.gains[i - 1], b = cs.gains[i];
          return b.x > a.x ? a.y + (b.y - a.y) * (x - a.x) / (b.x - a.x) : b.y;
        }
      return cs.gains.empty() ? 0.0 : cs.gains.back().y;
    };
    h.tag("<p class=\"reading\">",
          "Contacting the riskiest 30% by " + better->name + " reaches " + pct(gain_at(*better, 0.3)) +
              " of the customers who left.",
          "</p>");
    svg::LineChart gains;
    gains.axes = {"Cumulative gains", "share of customers contacted (riskiest first)", "share of churners reached", true};
    gains.diagonal = true;
    for (const ChurnScore* cs : drawn) {
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
    h.tag("<p class=\"reading\">",
          "Each bar is how many more leavers a decile holds than a random tenth of customers (1 = no better than "
          "chance); the riskiest decile by " + better->name + " holds " +
              fixed(better->lift.empty() ? 0 : better->lift.front(), 1) + "x.",
          "</p>");
    svg::BarChart lift;
    lift.axes = {"Lift by decile", "decile (1 = riskiest 10%)", "lift", false};
    for (int d = 1; d <= static_cast<int>(drawn.front()->lift.size()); ++d) lift.categories.push_back(std::to_string(d));
    for (const ChurnScore* cs : drawn) lift.series.push_back({cs->name, cs->lift});
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

  // ---- retention ----
  if (res.retention && res.retention->time.size() > 1) {
    const Retention& rt = *res.retention;
    const double ppm = res.period == summary::Period::Day ? 30.0 : res.period == summary::Period::Week ? 4.345 : 1.0;
    auto surv_at = [&](double t) {
      double v = 1;
      for (std::size_t k = 0; k < rt.time.size() && rt.time[k] <= t; ++k) v = rt.survival[k];
      return v;
    };
    h.section("retention", "Retention",
              pct(rt.customers > 0 ? rt.churned / rt.customers : 0) + " of customers have made no purchase in the last " +
                  std::to_string(rt.inactive_days) + " days; " + pct(surv_at(12 * ppm)) +
                  " are still buying a year after their first purchase" +
                  (!std::isfinite(rt.median) ? std::string(".")
                   : rt.median > 0 ? " (half have stopped by " + fixed(rt.median, 0) + " " + unit + ")."
                                   : std::string(" (more than half never bought again after their first day).")));
    h.raw("<div class=\"pair\"><div>");
    h.tag("<h3>", "Kaplan-Meier: customers still buying", "</h3>");
    svg::LineChart km;
    km.axes = {"Kaplan-Meier survival of customers", unit + " since the first purchase", "still buying", true};
    km.x = rt.time;
    km.series = {{"survival", rt.survival}, {"95% lower", rt.lower}, {"95% upper", rt.upper}};
    km.step = true;
    km.y_min = 0;
    km.y_max = 1;
    h.figure(svg::line_chart(km));
    h.tag("<p class=\"reading\">",
          "A customer leaves the curve at their last purchase once " + std::to_string(rt.inactive_days) +
              " days pass without another (docs/models/survival.md); after 3 months " + pct(surv_at(3 * ppm)) +
              " are still buying, after 6 months " + pct(surv_at(6 * ppm)) + ".",
          "</p>");
    h.raw("</div><div>");
    if (!rt.cohort_label.empty()) {
      h.tag("<h3>", "Monthly cohort retention", "</h3>");
      svg::Heatmap hm;
      hm.axes = {"Cohort retention by month", "months since the first purchase", "first-purchase month", true};
      for (std::size_t k = 0; k < rt.n_offsets; ++k) hm.x_ticks.push_back(std::to_string(k));
      hm.y_ticks = rt.cohort_label;
      hm.values = rt.cohort_retention;
      hm.value_label = "share buying";
      h.figure(svg::heatmap(hm));
      double m1 = 0, w1 = 0;
      for (std::size_t c2 = 0; c2 < rt.cohort_label.size(); ++c2)
        if (rt.n_offsets > 1 && std::isfinite(rt.cohort_retention[c2 * rt.n_offsets + 1])) {
          m1 += rt.cohort_retention[c2 * rt.n_offsets + 1] * rt.cohort_size[c2];
          w1 += rt.cohort_size[c2];
        }
      h.tag("<p class=\"reading\">",
            "Each row is the customers who first bought in that month; " + pct(w1 > 0 ? m1 / w1 : kNaN) +
                " of them buy again the month after, and the share buying in any later month stays small.",
            "</p>");
    }
    h.raw("</div></div>");
    h.end_section();
  }

  // ---- Kano ----
  if (res.kano) {
    const auto& r = res.kano->result;
    const auto& q = r.quality;
    const auto order = by_priority(r);
    std::array<int, kano::kCategories> per{};
    for (const auto& f : r.features)
      if (f.n > 0) ++per[static_cast<std::size_t>(f.category)];
    std::string reading;
    if (!order.empty() && order.front()->n > 0) {
      const auto& f = *order.front();
      reading = f.feature + " comes first: " + category_name(f.category) + ", its absence dissatisfies " +
                pct(-f.worse) + " of respondents and its presence satisfies " + pct(f.better) + ". ";
    }
    reading += std::to_string(per[2]) + " must-be, " + std::to_string(per[1]) + " one-dimensional, " +
               std::to_string(per[0]) + " attractive and " + std::to_string(per[3]) + " indifferent of " +
               std::to_string(r.features.size()) + " features.";
    h.section("kano", "Feature priorities (Kano)", reading);
    h.raw("<p class=\"muted\">");
    h.text("Survey " + res.kano->source + ": " + std::to_string(q.respondents) + " respondents, " +
           std::to_string(q.used_rows) + " of " + std::to_string(q.rows) +
           " answer pairs classified with Berger et al.'s evaluation table (docs/models/kano.md).");
    h.raw("</p>");
    h.tag("<h3>", "Better / Worse", "</h3>");
    svg::ScatterChart sc;
    sc.axes = {"Kano Better/Worse scatter", "Worse: dissatisfied when absent", "Better: satisfied when present", true};
    for (const auto* f : order) {
      sc.x.push_back(-f->worse);
      sc.y.push_back(f->better);
      sc.labels.push_back(f->feature);
    }
    sc.x_split = 0.5;
    sc.y_split = 0.5;
    sc.quadrant_names = {"Attractive", "One-dimensional", "Indifferent", "Must-be"};
    sc.x_min = 0;
    sc.x_max = 1;
    sc.y_min = 0;
    sc.y_max = 1;
    h.figure(svg::scatter_chart(sc));
    {
      std::size_t right = 0, measured = 0;
      for (const auto* f : order)
        if (std::isfinite(f->worse)) {
          ++measured;
          right += -f->worse >= 0.5 ? 1 : 0;
        }
      h.tag("<p class=\"reading\">",
            "Right of the line customers miss a feature when it is absent (must-be, one-dimensional: " +
                std::to_string(right) + " of " + std::to_string(measured) +
                " features); above it they are pleased when it is there (attractive, one-dimensional).",
            "</p>");
    }
    h.raw("<table><thead><tr><th>feature</th><th>priority</th><th>category</th><th>Better</th><th>Worse</th>"
          "<th>answers</th><th>category significant (Fong)</th><th>recommendation</th></tr></thead><tbody>");
    for (const auto* f : order) {
      h.raw("<tr><td>");
      h.text(f->feature);
      h.raw("</td><td>" + std::to_string(f->priority) + "</td><td>");
      h.text(f->n ? category_name(f->category) : "-");
      h.raw("</td><td>" + fixed(f->better, 2) + "</td><td>" + fixed(f->worse, 2) + "</td><td>" +
            std::to_string(f->n) + "</td><td>" + (f->fong_significant ? "yes" : "no") + "</td><td>");
      h.text(f->recommendation.empty() ? "-" : f->recommendation);
      h.raw("</td></tr>");
    }
    h.raw("</tbody></table>");
    h.tag("<h3>", "Data quality", "</h3>");
    h.raw("<ul class=\"notes\">");
    auto item = [&](const std::string& t) {
      h.raw("<li>");
      h.text(t);
      h.raw("</li>");
    };
    item(std::to_string(q.used_rows) + " of " + std::to_string(q.rows) + " answer pairs used; " +
         std::to_string(q.skipped_rows) + " skipped for a missing (" + std::to_string(q.missing_answers) +
         ") or invalid (" + std::to_string(q.invalid_answers) + ") answer" +
         (q.excluded_rows ? "; " + std::to_string(q.excluded_rows) + " of excluded respondents" : std::string()) + ".");
    for (std::size_t i = 0; i < q.issues.size() && i < 5; ++i) {
      const auto& is = q.issues[i];
      item((is.line ? "line " + std::to_string(is.line) : "row " + std::to_string(is.row + 1)) + ", " + is.column +
           ": " + is.problem + (is.answer.empty() ? std::string() : " answer '" + is.answer + "'"));
    }
    if (q.issues.size() > 5) item("... and " + std::to_string(q.issues.size() - 5) + " more answer issues (kano.json).");
    item(q.straightliners.empty() ? std::string("No straight-liners (the same answer pair to every feature).")
                                  : "Straight-liners (the same answer pair to every feature): " + join(q.straightliners) + ".");
    item(q.questionable_respondents.empty()
             ? std::string("No respondent with many questionable answers.")
             : "Respondents with many questionable (contradictory) answers: " + join(q.questionable_respondents) + ".");
    h.raw("</ul>");
    h.end_section();
  }

  // ---- service ----
  if (res.service) {
    const ServiceSection& sv = *res.service;
    std::string reading;
    const service::ServiceReport* rep = sv.metrics ? &*sv.metrics : nullptr;
    // The headline metric: CSAT, else FCR, else SLA compliance.
    struct Pick {
      const char* name;
      double (*get)(const service::GroupMetrics&);
    };
    std::vector<Pick> picks;
    if (rep && rep->has_csat) picks.push_back({"CSAT", [](const service::GroupMetrics& g) { return g.csat.csat; }});
    if (rep && rep->has_fcr)
      picks.push_back({"first-contact resolution", [](const service::GroupMetrics& g) { return g.fcr.estimate; }});
    if (rep && rep->has_sla)
      picks.push_back({"response-time SLA compliance", [](const service::GroupMetrics& g) { return g.sla.compliance; }});
    if (!picks.empty()) {
      const Pick& pk = picks.front();
      reading = std::string(pk.name) + " is " + pct(pk.get(rep->overall)) + " over " +
                grouped(static_cast<double>(rep->overall.interactions)) + " interactions";
      const service::GroupMetrics *hi = nullptr, *lo = nullptr;
      for (const auto& g : rep->groups) {
        const double v = pk.get(g);
        if (!std::isfinite(v)) continue;
        if (!hi || v > pk.get(*hi)) hi = &g;
        if (!lo || v < pk.get(*lo)) lo = &g;
      }
      if (hi && lo && hi != lo)
        reading += "; by " + sv.by + ", " + hi->group + " is highest (" + pct(pk.get(*hi)) + ") and " + lo->group +
                   " lowest (" + pct(pk.get(*lo)) + ")";
      reading += ".";
    }
    if (sv.nps) {
      const auto& a = sv.nps->overall;
      reading += (reading.empty() ? "" : " ") + std::string("NPS is ") + fixed(a.score, 0) + " (" +
                 fixed(sv.nps->confidence * 100, 0) + "% interval " + fixed(a.ci_low, 0) + " to " + fixed(a.ci_high, 0) +
                 ") from " + std::to_string(a.n) + " answers.";
    }
    h.section("service", "Service quality", reading);
    h.raw("<p class=\"muted\">");
    std::string match;
    if (sv.customer_column.empty())
      match = "The file has no customer column, so its interactions are not linked to customers.";
    else
      match = std::to_string(sv.matched_customers) + " of its " + std::to_string(sv.customers) + " customers (" +
              std::to_string(sv.matched_interactions) + " of " + std::to_string(sv.interactions) +
              " interactions) are customers in the transaction log" +
              (sv.matched_customers == 0 ? ": the two files do not share customer ids." : ".");
    h.text("Interactions " + sv.source + ": " + std::to_string(sv.interactions) + " rows. " + match +
           " Formulas: docs/models/service.md.");
    h.raw("</p>");
    if (rep) {
      std::vector<const service::GroupMetrics*> rows;
      for (const auto& g : rep->groups) rows.push_back(&g);
      rows.push_back(&rep->overall);
      svg::BarChart bc;
      bc.axes = {"Service metrics" + (sv.by.empty() ? std::string() : " by " + sv.by),
                 sv.by.empty() ? std::string("all interactions") : sv.by, "share", true};
      for (const auto* g : rows) bc.categories.push_back(g->group);
      for (const Pick& pk : picks) {
        svg::Series sr{pk.name, {}};
        for (const auto* g : rows) sr.values.push_back(pk.get(*g));
        bc.series.push_back(std::move(sr));
      }
      if (!bc.series.empty()) {
        h.figure(svg::bar_chart(bc));
        h.tag("<p class=\"reading\">",
              "Each group of bars is one " + (sv.by.empty() ? std::string("set of interactions") : sv.by) +
                  " (\"all\" = every interaction): the share of satisfied customers (CSAT 4-5), of issues resolved at "
                  "first contact and of first responses within the tier's target.",
              "</p>");
      }
      h.raw("<table><thead><tr><th>");
      h.text(sv.by.empty() ? std::string("group") : sv.by);
      h.raw("</th><th>interactions</th><th>CSAT</th><th>CES (1-7)</th><th>first-contact resolution</th>"
            "<th>SLA compliance</th></tr></thead><tbody>");
      for (const auto* g : rows) {
        h.raw("<tr><td>");
        h.text(g->group);
        h.raw("</td><td>" + std::to_string(g->interactions) + "</td><td>" +
              (rep->has_csat ? pct(g->csat.csat) : std::string("-")) + "</td><td>" +
              (rep->has_ces ? fixed(g->ces.mean, 2) : std::string("-")) + "</td><td>" +
              (rep->has_fcr ? pct(g->fcr.estimate) : std::string("-")) + "</td><td>" +
              (rep->has_sla ? pct(g->sla.compliance) : std::string("-")) + "</td></tr>");
      }
      h.raw("</tbody></table>");
      if (rep->has_sla) {
        h.tag("<h3>", "Response-time SLA by priority tier", "</h3>");
        h.raw("<table><thead><tr><th>tier</th><th>target (minutes)</th><th>answered</th><th>within target</th>"
              "<th>compliance</th><th>mean minutes</th></tr></thead><tbody>");
        for (const auto& t : rep->overall.sla.tiers) {
          h.raw("<tr><td>");
          h.text(t.tier);
          h.raw("</td><td>" + fixed(t.target_minutes, 0) + "</td><td>" + std::to_string(t.n) + "</td><td>" +
                std::to_string(t.met) + "</td><td>" + pct(t.compliance) + "</td><td>" + fixed(t.mean_minutes, 0) +
                "</td></tr>");
        }
        h.raw("</tbody></table>");
      }
    }
    if (sv.nps) {
      h.tag("<h3>", "Net Promoter Score", "</h3>");
      h.raw("<table><thead><tr><th>group</th><th>answers</th><th>promoters</th><th>detractors</th><th>NPS</th>"
            "<th>interval</th></tr></thead><tbody>");
      auto row = [&](const std::string& name, const service::NpsResult& r) {
        h.raw("<tr><td>");
        h.text(name);
        h.raw("</td><td>" + std::to_string(r.n) + "</td><td>" + pct(r.promoter_share) + "</td><td>" +
              pct(r.detractor_share) + "</td><td>" + fixed(r.score, 0) + "</td><td>" + fixed(r.ci_low, 0) + " to " +
              fixed(r.ci_high, 0) + "</td></tr>");
      };
      for (std::size_t i = 0; i < sv.nps->groups.size(); ++i) row(sv.nps->group_names[i], sv.nps->groups[i]);
      row("all", sv.nps->overall);
      h.raw("</tbody></table>");
    }
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

void write_kano_csv(const KanoSection& k, std::ostream& os) {
  static const char* letters[] = {"A", "O", "M", "I", "R", "Q"};
  std::string out = "feature,priority,category,n,A,O,M,I,R,Q,better,worse,category_strength,total_strength,"
                    "fong_significant,functional_mean,dysfunctional_mean,importance_mean,benefit,cost,frequency,"
                    "recommendation\n";
  for (const auto* f : by_priority(k.result)) {
    put_csv_text(out, f->feature);
    out += ',';
    out += std::to_string(f->priority);
    out += ',';
    if (f->n) out += letters[static_cast<std::size_t>(f->category)];
    out += ',';
    out += std::to_string(f->n);
    for (std::int64_t v : f->counts) {
      out += ',';
      out += std::to_string(v);
    }
    for (double v : {f->better, f->worse, f->category_strength, f->total_strength}) {
      out += ',';
      put_double(out, v);
    }
    out += f->fong_significant ? ",1" : ",0";
    for (double v : {f->functional_mean, f->dysfunctional_mean, f->importance_mean, f->benefit, f->cost, f->frequency}) {
      out += ',';
      put_double(out, v);
    }
    out += ',';
    put_csv_text(out, f->recommendation);
    out += '\n';
  }
  os.write(out.data(), static_cast<std::streamsize>(out.size()));
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
  if (res.kano) {
    w.kano_json = (dir / "kano.json").string();
    w.kano_csv = (dir / "kano.csv").string();
    auto f = open(w.kano_json);
    f << kano::to_json(res.kano->result).dump(2) << '\n';
    close(f, w.kano_json);
    auto g = open(w.kano_csv);
    write_kano_csv(*res.kano, g);
    close(g, w.kano_csv);
  }
  if (res.service) {
    w.service_json = (dir / "service.json").string();
    auto f = open(w.service_json);
    nlohmann::json j;
    j["source"] = res.service->source;
    j["metrics"] = res.service->metrics ? service::to_json(*res.service->metrics) : nlohmann::json(nullptr);
    j["nps"] = res.service->nps ? service::to_json(*res.service->nps) : nlohmann::json(nullptr);
    f << j.dump(2) << '\n';
    close(f, w.service_json);
  }
  return w;
}

}  // namespace crmkit::analysis
