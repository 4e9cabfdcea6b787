// C ABI of the end-to-end analysis (include/crmkit/c/analysis.h).
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "capi_internal.hpp"
#include "crmkit/analysis/analysis.hpp"
#include "crmkit/io/date.hpp"

struct crmkit_analysis {
  crmkit::core::Dictionary ids;  // names of from_arrays handles
  crmkit::analysis::Results results;
  std::string summary_json;
  std::optional<std::string> report_html;
  crmkit::analysis::Written written;
};

using crmkit::capi::guard;
using crmkit::capi::Opts;
using crmkit::capi::require;

int32_t crmkit_analyze(const crmkit_transactions* tx, const crmkit_options* options, const char* output_dir,
                       crmkit_analysis** out) {
  return guard([&] {
    const char* fn = "crmkit_analyze";
    require(tx, fn, "tx");
    if (out) *out = nullptr;
    Opts o(options, fn, {"as_of", "calibration_end", "period", "horizon_months", "discount_rate", "margin", "segments",
                         "interactions", "survey", "title", "source"});
    crmkit::analysis::Options ao;
    if (auto v = o.get("as_of")) ao.as_of = crmkit::io::parse_date_arg(*v, fn, "as_of");
    if (auto v = o.get("calibration_end")) ao.calibration_end = crmkit::io::parse_date_arg(*v, fn, "calibration_end");
    if (auto v = o.get("period")) ao.period = crmkit::summary::parse_period(*v);
    ao.horizon_months = static_cast<int>(o.integer("horizon_months", 12, 1, 1200));
    ao.discount_rate = o.number("discount_rate", 0.01);
    ao.margin = o.number("margin", 1.0);
    if (auto v = o.get("segments")) {
      if (*v != "rf-grid" && *v != "rfm-ranges")
        throw crmkit::InvalidArgument(fn, "segments", "'" + *v + "'", "must be rf-grid or rfm-ranges");
      ao.segments = *v;
    }
    if (auto v = o.get("title")) ao.title = *v;
    auto h = std::make_unique<crmkit_analysis>();
    crmkit::analysis::Inputs in;
    in.transactions = tx->view;
    if (tx->owned) {
      in.ids = &tx->owned->ids;
    } else if (!tx->ids.empty()) {
      h->ids.reserve(tx->ids.size());
      for (const auto& s : tx->ids) h->ids.encode(s);
      in.ids = &h->ids;
    }
    if (auto v = o.get("source")) in.transactions_source = *v;
    if (auto v = o.get("interactions")) in.interactions_path = *v;
    if (auto v = o.get("survey")) in.survey_path = *v;
    h->results = crmkit::analysis::analyze(in, ao);
    h->summary_json = h->results.summary_json().dump(2);
    if (output_dir) h->written = crmkit::analysis::write_outputs(h->results, output_dir);
    // The handle outlives the transactions' dictionary only through its own copy.
    if (in.ids == &h->ids) h->results.ids = &h->ids;
    if (tx->owned) {
      h->ids = tx->owned->ids;
      h->results.ids = &h->ids;
    }
    if (out) *out = h.release();
  });
}

int32_t crmkit_analysis_summary_json(const crmkit_analysis* a, const char** json) {
  return guard([&] {
    require(a, "crmkit_analysis_summary_json", "analysis");
    require(json, "crmkit_analysis_summary_json", "json");
    *json = a->summary_json.c_str();
  });
}

int32_t crmkit_analysis_report_html(const crmkit_analysis* a, const char** html) {
  return guard([&] {
    require(a, "crmkit_analysis_report_html", "analysis");
    require(html, "crmkit_analysis_report_html", "html");
    auto* m = const_cast<crmkit_analysis*>(a);  // a lazily filled cache
    if (!m->report_html) m->report_html = crmkit::analysis::render_report(m->results);
    *html = m->report_html->c_str();
  });
}

int32_t crmkit_analysis_output_path(const crmkit_analysis* a, const char* file, const char** path) {
  return guard([&] {
    const char* fn = "crmkit_analysis_output_path";
    require(a, fn, "analysis");
    require(file, fn, "file");
    require(path, fn, "path");
    const std::string f = file;
    if (f == "customers.csv") {
      *path = a->written.customers_csv.c_str();
    } else if (f == "summary.json") {
      *path = a->written.summary_json.c_str();
    } else if (f == "report.html") {
      *path = a->written.report_html.c_str();
    } else if (f == "kano.json") {
      *path = a->written.kano_json.c_str();
    } else if (f == "kano.csv") {
      *path = a->written.kano_csv.c_str();
    } else if (f == "service.json") {
      *path = a->written.service_json.c_str();
    } else {
      throw crmkit::InvalidArgument(fn, "file", "'" + f + "'",
                                    "must be customers.csv, summary.json, report.html, kano.json, kano.csv or "
                                    "service.json");
    }
  });
}

int32_t crmkit_analysis_len(const crmkit_analysis* a, int64_t* n) {
  return guard([&] {
    require(a, "crmkit_analysis_len", "analysis");
    require(n, "crmkit_analysis_len", "n");
    *n = static_cast<int64_t>(a->results.customers.size());
  });
}

int32_t crmkit_analysis_column(const crmkit_analysis* a, const char* name, double* out, int64_t n) {
  return guard([&] {
    const char* fn = "crmkit_analysis_column";
    require(a, fn, "analysis");
    require(name, fn, "name");
    const auto& c = a->results.customers;
    crmkit::capi::check_out(out, n, c.size(), fn);
    const std::string k = name;
    const std::vector<double>* col = k == "rfm_recency"          ? &c.rfm_recency
                                     : k == "rfm_frequency"      ? &c.rfm_frequency
                                     : k == "rfm_monetary"       ? &c.rfm_monetary
                                     : k == "frequency"          ? &c.frequency
                                     : k == "recency"            ? &c.recency
                                     : k == "T"                  ? &c.T
                                     : k == "monetary_value"     ? &c.monetary_value
                                     : k == "total_spend"        ? &c.total_spend
                                     : k == "p_alive"            ? &c.p_alive
                                     : k == "churn_risk"         ? &c.churn_risk
                                     : k == "expected_purchases" ? &c.expected_purchases
                                     : k == "expected_spend"     ? &c.expected_spend
                                     : k == "clv"                ? &c.clv
                                     : k == "churn_probability"  ? &c.churn_probability
                                     : k == "interactions"       ? &c.interactions
                                                                 : nullptr;
    if (!col)
      throw crmkit::InvalidArgument(fn, "name", "'" + k + "'",
                                    "must be one of rfm_recency rfm_frequency rfm_monetary frequency recency T "
                                    "monetary_value total_spend p_alive churn_risk expected_purchases expected_spend clv "
                                    "churn_probability interactions");
    for (std::size_t i = 0; i < c.size(); ++i)
      out[i] = col->empty() ? std::numeric_limits<double>::quiet_NaN() : (*col)[i];
  });
}

int32_t crmkit_analysis_free(crmkit_analysis* a) {
  delete a;
  return CRMKIT_OK;
}
