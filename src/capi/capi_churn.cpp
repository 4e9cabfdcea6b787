// C ABI, churn section (crmkit/c/churn.h): feature tables, logistic regression, metrics, validation.
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "capi_internal.hpp"
#include "crmkit/churn/features.hpp"
#include "crmkit/churn/logistic.hpp"
#include "crmkit/churn/metrics.hpp"
#include "crmkit/churn/validation.hpp"
#include "crmkit/io/json.hpp"

struct crmkit_churn_features {
  crmkit::churn::FeatureTable t;
};

struct crmkit_logit {
  crmkit::churn::LogisticModel m;
};

using crmkit::InvalidArgument;
using crmkit::capi::guard;
using crmkit::capi::Opts;
using crmkit::capi::require;
namespace churn = crmkit::churn;

namespace {

std::vector<std::string> split_list(const std::string* v) {
  std::vector<std::string> out;
  if (!v) return out;
  std::size_t p = 0;
  while (p <= v->size()) {
    std::size_t q = v->find(',', p);
    if (q == std::string::npos) q = v->size();
    std::string t = v->substr(p, q - p);
    const auto b = t.find_first_not_of(' ');
    const auto e = t.find_last_not_of(' ');
    if (b != std::string::npos) out.push_back(t.substr(b, e - b + 1));
    p = q + 1;
  }
  return out;
}

churn::FeatureOptions feature_options(const Opts& o, bool with_names) {
  churn::FeatureOptions f;
  if (with_names) {
    if (const auto* v = o.get("label")) f.label = *v;
    if (const auto* v = o.get("id")) f.id = *v;
  }
  if (const auto* v = o.get("missing")) {
    if (*v == "impute") f.missing = churn::MissingPolicy::Impute;
    else if (*v == "drop") f.missing = churn::MissingPolicy::Drop;
    else if (*v != "error") throw InvalidArgument("crmkit_churn_features", "missing", "'" + *v + "'", "must be error, impute or drop");
  }
  if (const auto* v = o.get("unseen")) {
    if (*v == "zero") f.unseen = churn::UnseenLevel::Zero;
    else if (*v != "error") throw InvalidArgument("crmkit_churn_features", "unseen", "'" + *v + "'", "must be error or zero");
  }
  f.categorical = split_list(o.get("categorical"));
  f.exclude = split_list(o.get("exclude"));
  f.keep = split_list(o.get("keep"));
  f.max_levels = static_cast<std::size_t>(o.integer("max_levels", 50, 0, 1000000000));
  return f;
}

constexpr std::initializer_list<const char*> kFitKeys = {"penalty", "C", "l1_ratio", "fit_intercept", "standardize",
                                                         "class_weight", "max_iterations", "tolerance"};

churn::LogisticOptions fit_options(const Opts& o) {
  churn::LogisticOptions l;
  if (const auto* v = o.get("penalty")) l.penalty = churn::parse_penalty(*v);
  l.C = o.number("C", 1.0);
  l.l1_ratio = o.number("l1_ratio", 0.5);
  l.fit_intercept = o.flag("fit_intercept", true);
  l.standardize = o.flag("standardize", false);
  l.max_iterations = static_cast<int>(o.integer("max_iterations", 100, 1, 1000000));
  l.tolerance = o.number("tolerance", 1e-8);
  if (const auto* v = o.get("class_weight")) {
    if (*v == "balanced") l.class_weight_balanced = true;
    else {
      const auto w = o.numbers("class_weight");
      if (w.size() != 2)
        throw InvalidArgument("crmkit_logit_fit", "class_weight", "'" + *v + "'", "must be balanced or two numbers w0,w1");
      l.class_weight = std::array<double, 2>{w[0], w[1]};
    }
  }
  return l;
}

void check_np(std::int64_t n, std::int64_t p, const char* fn) {
  if (n < 0) throw InvalidArgument(fn, "n", std::to_string(n), "must be >= 0");
  if (p < 0) throw InvalidArgument(fn, "p", std::to_string(p), "must be >= 0");
}

std::span<const double> span(const double* p, std::int64_t n, const char* fn, const char* arg) {
  if (n < 0) throw InvalidArgument(fn, "n", std::to_string(n), "must be >= 0");
  if (n > 0) require(p, fn, arg);
  return {p, static_cast<std::size_t>(n)};
}

const char* predict_kind(const char* what, const char* fn) {
  require(what, fn, "what");
  const std::string w = what;
  if (w != "proba" && w != "decision") throw InvalidArgument(fn, "what", "'" + w + "'", "must be proba or decision");
  return what;
}

std::vector<churn::InputColumn> input_columns(const char* const* names, const double* const* numeric,
                                               const char* const* const* strings, int64_t n_columns, int64_t n_rows,
                                               const char* fn) {
  check_np(n_rows, n_columns, fn);
  if (n_columns > 0) require(names, fn, "names");
  const auto n = static_cast<std::size_t>(n_rows);
  std::vector<churn::InputColumn> cols(static_cast<std::size_t>(n_columns));
  for (std::size_t k = 0; k < cols.size(); ++k) {
    const std::string arg = "columns[" + std::to_string(k) + "]";
    require(names[k], fn, "names[k]");
    cols[k].name = names[k];
    const double* num = numeric ? numeric[k] : nullptr;
    const char* const* str = strings ? strings[k] : nullptr;
    if ((num == nullptr) == (str == nullptr))
      throw InvalidArgument(fn, arg, "'" + cols[k].name + "'", "give exactly one of numeric[k] and strings[k]");
    if (num) {
      cols[k].numbers = std::span<const double>(num, n);
    } else {
      cols[k].strings.resize(n);
      for (std::size_t i = 0; i < n; ++i) cols[k].strings[i] = str[i] ? str[i] : "";
    }
  }
  return cols;
}

std::vector<std::string> id_strings(const char* const* ids, int64_t n_rows) {
  std::vector<std::string> id;
  if (ids) {
    id.resize(static_cast<std::size_t>(n_rows));
    for (std::size_t i = 0; i < id.size(); ++i) id[i] = ids[i] ? ids[i] : "";
  }
  return id;
}

}  // namespace

extern "C" {

int32_t crmkit_churn_features_read_csv(const char* path, const crmkit_options* options, crmkit_churn_features** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_churn_features_read_csv";
    require(path, fn, "path");
    require(out, fn, "out");
    *out = nullptr;
    Opts o(options, fn, {"label", "id", "missing", "unseen", "categorical", "exclude", "keep", "max_levels"});
    auto f = std::make_unique<crmkit_churn_features>();
    f->t = churn::read_features(path, feature_options(o, true));
    *out = f.release();
  });
}

int32_t crmkit_churn_features_from_columns(const char* const* names, const double* const* numeric,
                                           const char* const* const* strings, int64_t n_columns, int64_t n_rows,
                                           const double* label, const char* const* ids, const crmkit_options* options,
                                           crmkit_churn_features** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_churn_features_from_columns";
    require(out, fn, "out");
    *out = nullptr;
    Opts o(options, fn, {"missing", "unseen", "categorical", "exclude", "keep", "max_levels"});
    const auto cols = input_columns(names, numeric, strings, n_columns, n_rows, fn);
    auto f = std::make_unique<crmkit_churn_features>();
    f->t = churn::build_features(cols, label ? std::span<const double>(label, static_cast<std::size_t>(n_rows)) : std::span<const double>(),
                                 id_strings(ids, n_rows), feature_options(o, false));
    *out = f.release();
  });
}

int32_t crmkit_churn_features_from_columns_for(const crmkit_logit* model, const char* const* names,
                                               const double* const* numeric, const char* const* const* strings,
                                               int64_t n_columns, int64_t n_rows, const char* const* ids,
                                               crmkit_churn_features** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_churn_features_from_columns_for";
    require(model, fn, "model");
    require(out, fn, "out");
    *out = nullptr;
    if (!model->m.encoding)
      throw InvalidArgument(fn, "model", "no encoding", "the model was not fitted on a feature table; predict on a matrix");
    const auto cols = input_columns(names, numeric, strings, n_columns, n_rows, fn);
    auto f = std::make_unique<crmkit_churn_features>();
    f->t = churn::apply_features(cols, *model->m.encoding, id_strings(ids, n_rows));
    *out = f.release();
  });
}

int32_t crmkit_churn_features_read_csv_for(const crmkit_logit* model, const char* path, const crmkit_options* options,
                                           crmkit_churn_features** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_churn_features_read_csv_for";
    require(model, fn, "model");
    require(path, fn, "path");
    require(out, fn, "out");
    *out = nullptr;
    if (!model->m.encoding)
      throw InvalidArgument(fn, "model", "no encoding", "the model was not fitted on a feature table; predict on a matrix");
    Opts o(options, fn, {"id", "label"});
    auto f = std::make_unique<crmkit_churn_features>();
    f->t = churn::read_features(path, *model->m.encoding, o.get("id") ? *o.get("id") : "", o.get("label") ? *o.get("label") : "");
    *out = f.release();
  });
}

int32_t crmkit_churn_features_shape(const crmkit_churn_features* f, int64_t* rows, int64_t* cols) {
  return guard([&] {
    require(f, "crmkit_churn_features_shape", "f");
    if (rows) *rows = static_cast<int64_t>(f->t.rows());
    if (cols) *cols = static_cast<int64_t>(f->t.cols());
  });
}

int32_t crmkit_churn_features_name(const crmkit_churn_features* f, int64_t j, const char** name) {
  return guard([&] {
    constexpr const char* fn = "crmkit_churn_features_name";
    require(f, fn, "f");
    require(name, fn, "name");
    if (j < 0 || static_cast<std::size_t>(j) >= f->t.names.size())
      throw InvalidArgument(fn, "j", std::to_string(j), "must be in 0.." + std::to_string(f->t.names.size()) + " (exclusive)");
    *name = f->t.names[static_cast<std::size_t>(j)].c_str();
  });
}

int32_t crmkit_churn_features_matrix(const crmkit_churn_features* f, double* out, int64_t capacity) {
  return guard([&] {
    constexpr const char* fn = "crmkit_churn_features_matrix";
    require(f, fn, "f");
    const auto size = static_cast<std::size_t>(f->t.x.size());
    crmkit::capi::check_out(out, capacity, size, fn);
    if (size) std::memcpy(out, f->t.x.data(), size * sizeof(double));
  });
}

int32_t crmkit_churn_features_label(const crmkit_churn_features* f, double* out, int64_t capacity, int32_t* has_label) {
  return guard([&] {
    constexpr const char* fn = "crmkit_churn_features_label";
    require(f, fn, "f");
    require(has_label, fn, "has_label");
    *has_label = f->t.label.empty() ? 0 : 1;
    if (!out || f->t.label.empty()) return;
    crmkit::capi::check_out(out, capacity, f->t.label.size(), fn);
    std::memcpy(out, f->t.label.data(), f->t.label.size() * sizeof(double));
  });
}

int32_t crmkit_churn_features_id(const crmkit_churn_features* f, int64_t i, const char** id) {
  return guard([&] {
    constexpr const char* fn = "crmkit_churn_features_id";
    require(f, fn, "f");
    require(id, fn, "id");
    if (i < 0 || static_cast<std::size_t>(i) >= f->t.rows())
      throw InvalidArgument(fn, "i", std::to_string(i), "must be in 0.." + std::to_string(f->t.rows()) + " (exclusive)");
    *id = f->t.ids.empty() ? nullptr : f->t.ids[static_cast<std::size_t>(i)].c_str();
  });
}

int32_t crmkit_churn_features_dropped(const crmkit_churn_features* f, int64_t* dropped) {
  return guard([&] {
    require(f, "crmkit_churn_features_dropped", "f");
    require(dropped, "crmkit_churn_features_dropped", "dropped");
    *dropped = static_cast<int64_t>(f->t.dropped);
  });
}

int32_t crmkit_churn_features_free(crmkit_churn_features* f) {
  delete f;
  return CRMKIT_OK;
}

int32_t crmkit_logit_fit(const double* x, int64_t n, int64_t p, const double* y, const double* sample_weight,
                         const char* const* names, const crmkit_options* options, crmkit_logit** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_logit_fit";
    require(out, fn, "out");
    *out = nullptr;
    check_np(n, p, fn);
    if (n * p > 0) require(x, fn, "x");
    if (n > 0) require(y, fn, "y");
    Opts o(options, fn, kFitKeys);
    std::vector<std::string> nm;
    if (names)
      for (int64_t j = 0; j < p; ++j) {
        require(names[j], fn, "names[j]");
        nm.emplace_back(names[j]);
      }
    const Eigen::Map<const Eigen::MatrixXd> xm(x, n, p);
    auto m = std::make_unique<crmkit_logit>();
    m->m = churn::fit_logistic(xm, std::span<const double>(y, static_cast<std::size_t>(n)), fit_options(o), std::move(nm),
                               sample_weight ? std::span<const double>(sample_weight, static_cast<std::size_t>(n))
                                             : std::span<const double>());
    *out = m.release();
  });
}

int32_t crmkit_logit_fit_features(const crmkit_churn_features* f, const double* sample_weight,
                                  const crmkit_options* options, crmkit_logit** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_logit_fit_features";
    require(f, fn, "f");
    require(out, fn, "out");
    *out = nullptr;
    Opts o(options, fn, kFitKeys);
    auto m = std::make_unique<crmkit_logit>();
    m->m = churn::fit_logistic(f->t, fit_options(o),
                               sample_weight ? std::span<const double>(sample_weight, f->t.rows()) : std::span<const double>());
    *out = m.release();
  });
}

int32_t crmkit_logit_n_features(const crmkit_logit* m, int64_t* p) {
  return guard([&] {
    require(m, "crmkit_logit_n_features", "m");
    require(p, "crmkit_logit_n_features", "p");
    *p = static_cast<int64_t>(m->m.n_features());
  });
}

int32_t crmkit_logit_coef(const crmkit_logit* m, int64_t j, const char** name, double* coef, double* std_error,
                          double* odds_ratio) {
  return guard([&] {
    constexpr const char* fn = "crmkit_logit_coef";
    require(m, fn, "m");
    if (j < 0 || static_cast<std::size_t>(j) >= m->m.n_features())
      throw InvalidArgument(fn, "j", std::to_string(j), "must be in 0.." + std::to_string(m->m.n_features()) + " (exclusive)");
    const auto jj = static_cast<Eigen::Index>(j);
    if (name) *name = m->m.feature_names[static_cast<std::size_t>(j)].c_str();
    if (coef) *coef = m->m.coef[jj];
    if (std_error) *std_error = m->m.std_errors[jj];
    if (odds_ratio) *odds_ratio = std::exp(m->m.coef[jj]);
  });
}

int32_t crmkit_logit_intercept(const crmkit_logit* m, double* intercept, double* std_error) {
  return guard([&] {
    require(m, "crmkit_logit_intercept", "m");
    if (intercept) *intercept = m->m.intercept;
    if (std_error) *std_error = m->m.intercept_std_error;
  });
}

int32_t crmkit_logit_fit_info(const crmkit_logit* m, int32_t* converged, int32_t* iterations, double* log_likelihood,
                              double* objective) {
  return guard([&] {
    require(m, "crmkit_logit_fit_info", "m");
    if (converged) *converged = m->m.status == crmkit::math::FitStatus::Converged ? 1 : 0;
    if (iterations) *iterations = m->m.iterations;
    if (log_likelihood) *log_likelihood = m->m.log_likelihood;
    if (objective) *objective = m->m.objective;
  });
}

int32_t crmkit_logit_predict(const crmkit_logit* m, const char* what, const double* x, int64_t n, int64_t p, double* out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_logit_predict";
    require(m, fn, "m");
    const std::string w = predict_kind(what, fn);
    check_np(n, p, fn);
    if (n * p > 0) require(x, fn, "x");
    if (n > 0) require(out, fn, "out");
    const Eigen::Map<const Eigen::MatrixXd> xm(x, n, p);
    const std::span<double> o(out, static_cast<std::size_t>(n));
    if (w == "proba") m->m.predict_proba(xm, o);
    else m->m.decision_function(xm, o);
  });
}

int32_t crmkit_logit_predict_features(const crmkit_logit* m, const char* what, const crmkit_churn_features* f, double* out,
                                      int64_t capacity) {
  return guard([&] {
    constexpr const char* fn = "crmkit_logit_predict_features";
    require(m, fn, "m");
    require(f, fn, "f");
    const std::string w = predict_kind(what, fn);
    crmkit::capi::check_out(out, capacity, f->t.rows(), fn);
    if (f->t.names != m->m.feature_names)
      throw InvalidArgument(fn, "f", "features", "the table's feature names differ from the model's (use crmkit_churn_features_read_csv_for)");
    const std::span<double> o(out, f->t.rows());
    if (w == "proba") m->m.predict_proba(f->t.x, o);
    else m->m.decision_function(f->t.x, o);
  });
}

int32_t crmkit_logit_drivers(const crmkit_logit* m, const double* row, int64_t p, int64_t max_drivers, int64_t* feature,
                             double* contribution, int64_t* count) {
  return guard([&] {
    constexpr const char* fn = "crmkit_logit_drivers";
    require(m, fn, "m");
    require(count, fn, "count");
    if (max_drivers < 0) throw InvalidArgument(fn, "max_drivers", std::to_string(max_drivers), "must be >= 0");
    if (max_drivers > 0) {
      require(feature, fn, "feature");
      require(contribution, fn, "contribution");
    }
    const auto d = churn::drivers(m->m, span(row, p, fn, "row"), static_cast<std::size_t>(max_drivers));
    for (std::size_t k = 0; k < d.size(); ++k) {
      feature[k] = static_cast<int64_t>(d[k].feature);
      contribution[k] = d[k].contribution;
    }
    *count = static_cast<int64_t>(d.size());
  });
}

int32_t crmkit_logit_to_json(const crmkit_logit* m, char* buffer, int64_t capacity, int64_t* length) {
  return guard([&] {
    constexpr const char* fn = "crmkit_logit_to_json";
    require(m, fn, "m");
    require(length, fn, "length");
    const std::string s = nlohmann::json(m->m).dump(2);
    *length = static_cast<int64_t>(s.size());
    if (!buffer && capacity == 0) return;
    require(buffer, fn, "buffer");
    if (capacity < *length + 1)
      throw crmkit::capi::BufferTooSmall(std::string(fn) + ": buffer of " + std::to_string(capacity) +
                                         " bytes is smaller than the " + std::to_string(*length + 1) + " needed");
    std::memcpy(buffer, s.c_str(), s.size() + 1);
  });
}

int32_t crmkit_logit_from_json(const char* json, crmkit_logit** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_logit_from_json";
    require(json, fn, "json");
    require(out, fn, "out");
    *out = nullptr;
    nlohmann::json j;
    try {
      j = crmkit::io::parse_json_document(json, "<json>", "a JSON logistic model");
    } catch (const crmkit::ParseError& e) {  // this call has always answered CRMKIT_E_INVALID_ARGUMENT here
      throw InvalidArgument(fn, "json", "text", std::string("is not a JSON model: ") + e.what());
    }
    auto m = std::make_unique<crmkit_logit>();
    try {
      m->m = j.get<churn::LogisticModel>();
    } catch (const nlohmann::json::exception& e) {
      throw InvalidArgument(fn, "json", "model", std::string("is malformed: ") + e.what());
    }
    *out = m.release();
  });
}

int32_t crmkit_logit_free(crmkit_logit* m) {
  delete m;
  return CRMKIT_OK;
}

int32_t crmkit_churn_metric(const char* name, const double* score, const double* label, int64_t n, double* out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_churn_metric";
    require(name, fn, "name");
    require(out, fn, "out");
    const auto s = span(score, n, fn, "score"), y = span(label, n, fn, "label");
    const std::string k = name;
    if (k == "auc") *out = churn::roc_auc(s, y);
    else if (k == "pr_auc") *out = churn::average_precision(s, y);
    else if (k == "log_loss") *out = churn::log_loss(s, y);
    else if (k == "brier") *out = churn::brier_score(s, y);
    else throw InvalidArgument(fn, "name", "'" + k + "'", "must be auc, pr_auc, log_loss or brier");
  });
}

int32_t crmkit_churn_roc_curve(const double* score, const double* label, int64_t n, double* fpr, double* tpr,
                               double* thresholds, int64_t capacity, int64_t* length) {
  return guard([&] {
    constexpr const char* fn = "crmkit_churn_roc_curve";
    require(length, fn, "length");
    const auto c = churn::roc_curve(span(score, n, fn, "score"), span(label, n, fn, "label"));
    *length = static_cast<int64_t>(c.fpr.size());
    if (!fpr && !tpr && !thresholds && capacity == 0) return;
    crmkit::capi::check_out(fpr, capacity, c.fpr.size(), fn);
    crmkit::capi::check_out(tpr, capacity, c.fpr.size(), fn);
    crmkit::capi::check_out(thresholds, capacity, c.fpr.size(), fn);
    for (std::size_t k = 0; k < c.fpr.size(); ++k) {
      fpr[k] = c.fpr[k];
      tpr[k] = c.tpr[k];
      thresholds[k] = c.thresholds[k];
    }
  });
}

int32_t crmkit_churn_lift_table(const double* score, const double* label, int64_t n, int64_t bins, double* out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_churn_lift_table";
    require(out, fn, "out");
    if (bins < 1) throw InvalidArgument(fn, "bins", std::to_string(bins), "must be >= 1");
    const auto rows = churn::lift_table(span(score, n, fn, "score"), span(label, n, fn, "label"), static_cast<std::size_t>(bins));
    for (std::size_t b = 0; b < rows.size(); ++b) {
      const auto& r = rows[b];
      const double v[9] = {static_cast<double>(r.bin), static_cast<double>(r.count), r.positives, r.rate, r.lift,
                           r.cumulative_gain, r.cumulative_lift, r.min_score, r.max_score};
      std::memcpy(out + b * 9, v, sizeof v);
    }
  });
}

int32_t crmkit_churn_calibration_table(const double* probability, const double* label, int64_t n, int64_t bins, double* out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_churn_calibration_table";
    require(out, fn, "out");
    if (bins < 1) throw InvalidArgument(fn, "bins", std::to_string(bins), "must be >= 1");
    const auto rows = churn::calibration_table(span(probability, n, fn, "probability"), span(label, n, fn, "label"),
                                               static_cast<std::size_t>(bins));
    for (std::size_t b = 0; b < rows.size(); ++b) {
      const auto& r = rows[b];
      const double v[5] = {r.lower, r.upper, static_cast<double>(r.count), r.mean_predicted, r.observed};
      std::memcpy(out + b * 5, v, sizeof v);
    }
  });
}

int32_t crmkit_churn_confusion(const double* score, const double* label, int64_t n, double threshold, double* out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_churn_confusion";
    require(out, fn, "out");
    const auto c = churn::confusion(span(score, n, fn, "score"), span(label, n, fn, "label"), threshold);
    const double v[8] = {c.tp, c.fp, c.tn, c.fn, c.precision, c.recall, c.accuracy, c.f1};
    std::memcpy(out, v, sizeof v);
  });
}

int32_t crmkit_churn_stratified_folds(const double* label, int64_t n, int64_t k, uint64_t seed, int32_t* fold) {
  return guard([&] {
    constexpr const char* fn = "crmkit_churn_stratified_folds";
    if (n > 0) require(fold, fn, "fold");
    if (k < 0) throw InvalidArgument(fn, "k", std::to_string(k), "must be >= 2");
    const auto f = churn::stratified_folds(span(label, n, fn, "label"), static_cast<std::size_t>(k), seed);
    for (std::size_t i = 0; i < f.size(); ++i) fold[i] = static_cast<int32_t>(f[i]);
  });
}

int32_t crmkit_churn_cross_validate(const double* x, int64_t n, int64_t p, const double* y, const crmkit_options* options,
                                    double* probability, double* metrics) {
  return guard([&] {
    constexpr const char* fn = "crmkit_churn_cross_validate";
    require(metrics, fn, "metrics");
    check_np(n, p, fn);
    if (n * p > 0) require(x, fn, "x");
    Opts o(options, fn, {"penalty", "C", "l1_ratio", "fit_intercept", "standardize", "class_weight", "max_iterations",
                         "tolerance", "k", "seed"});
    const auto k = o.integer("k", 5, 2, 1000000);
    const auto seed = o.integer("seed", 0, 0, std::numeric_limits<long long>::max());
    const Eigen::Map<const Eigen::MatrixXd> xm(x, n, p);
    const auto cv = churn::cross_validate(xm, span(y, n, fn, "y"), fit_options(o), static_cast<std::size_t>(k),
                                          static_cast<std::uint64_t>(seed));
    if (probability) std::memcpy(probability, cv.probability.data(), cv.probability.size() * sizeof(double));
    const double v[8] = {cv.mean.auc, cv.mean.pr_auc, cv.mean.log_loss, cv.mean.brier,
                         cv.pooled.auc, cv.pooled.pr_auc, cv.pooled.log_loss, cv.pooled.brier};
    std::memcpy(metrics, v, sizeof v);
  });
}

}  // extern "C"
