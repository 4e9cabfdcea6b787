// C ABI, kano section (crmkit/c/kano.h): one handle over kano::KanoResult.
#include <cctype>
#include <cmath>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "capi_internal.hpp"
#include "crmkit/core/ids.hpp"
#include "crmkit/kano/kano.hpp"

struct crmkit_kano {
  crmkit::kano::KanoResult result;
};

using crmkit::InvalidArgument;
using crmkit::capi::guard;
using crmkit::capi::Opts;
using crmkit::capi::require;
namespace kano = crmkit::kano;

namespace {

struct Settings {
  kano::KanoOptions options;
  kano::AnswerMap words;
  const std::string* costs = nullptr;
  const std::string* costs_text = nullptr;
};

Settings settings(const crmkit_options* options, const char* fn) {
  Opts o(options, fn,
         {"table", "table_text", "words", "words_file", "words_csv", "invalid", "missing", "tie_threshold", "fong_z", "straightline_min_features",
          "exclude_straightliners", "questionable_share", "exclude_questionable", "benefit_split", "cost_split",
          "frequency_split", "costs", "costs_text"});
  Settings s;
  auto& k = s.options;
  if (auto v = o.get("table"); v && *v != "standard") k.table = kano::EvaluationTable::load(*v);
  if (auto v = o.get("table_text")) k.table = kano::EvaluationTable::parse(*v, "<table_text>");
  // words_file / words_csv replace the default words; words then adds (or replaces) its entries.
  const bool from_table = o.get("words_file") || o.get("words_csv");
  if (auto v = o.get("words_file")) s.words = kano::AnswerMap::load(*v);
  if (auto v = o.get("words_csv")) {
    kano::AnswerMap m = kano::AnswerMap::parse_csv(*v, "<words_csv>");
    if (!o.get("words_file")) s.words = std::move(m);
    else
      for (const auto& [w, c] : m.words()) s.words.set(w, c);
  }
  if (auto v = o.get("words")) {
    kano::AnswerMap m = kano::AnswerMap::parse(*v);
    if (!from_table) s.words = std::move(m);
    else
      for (const auto& [w, c] : m.words()) s.words.set(w, c);
  }
  for (const char* key : {"invalid", "missing"}) {
    if (auto v = o.get(key)) {
      auto& policy = std::string_view(key) == "invalid" ? k.invalid : k.missing;
      if (*v == "skip") policy = kano::InvalidPolicy::Skip;
      else if (*v == "fail") policy = kano::InvalidPolicy::Fail;
      else throw InvalidArgument(fn, key, "'" + *v + "'", "must be skip or fail");
    }
  }
  k.tie_threshold = o.number("tie_threshold", k.tie_threshold);
  k.fong_z = o.number("fong_z", k.fong_z);
  k.straightline_min_features = o.integer("straightline_min_features", k.straightline_min_features, 2, 1000000000);
  k.exclude_straightliners = o.flag("exclude_straightliners", false);
  k.questionable_share = o.number("questionable_share", k.questionable_share);
  k.exclude_questionable = o.flag("exclude_questionable", false);
  k.benefit_split = o.number("benefit_split", k.benefit_split);
  k.cost_split = o.number("cost_split", k.cost_split);
  k.frequency_split = o.number("frequency_split", k.frequency_split);
  s.costs = o.get("costs");
  s.costs_text = o.get("costs_text");
  return s;
}

// Runs the analysis with costs from the options (which override a survey's own cost columns).
crmkit_kano* run(const kano::SurveyView& view, const Settings& s, kano::FeatureInputs survey_inputs = {}) {
  kano::FeatureInputTable table;
  kano::FeatureInputs inputs = survey_inputs;
  if (s.costs) {
    table = kano::read_feature_inputs(*s.costs, view.feature_names);
    inputs = table.inputs();
  } else if (s.costs_text) {
    table = kano::parse_feature_inputs(*s.costs_text, view.feature_names, "<costs_text>");
    inputs = table.inputs();
  }
  auto* h = new crmkit_kano{kano::analyze(view, s.options, inputs)};
  return h;
}

void check_n(std::int64_t n, const char* fn) {
  if (n < 0) throw InvalidArgument(fn, "n", std::to_string(n), "must be >= 0");
}

void check_strings(const char* const* p, std::int64_t n, const char* fn, const char* arg) {
  if (n > 0) require(p, fn, arg);
  for (std::int64_t i = 0; i < n; ++i)
    if (!p[i]) throw InvalidArgument(fn, std::string(arg) + "[" + std::to_string(i) + "]", "NULL", "must not be NULL");
}

std::size_t index(const crmkit_kano* k, std::int64_t i, const char* fn) {
  require(k, fn, "k");
  const std::size_t n = k->result.features.size();
  if (i < 0 || static_cast<std::size_t>(i) >= n)
    throw InvalidArgument(fn, "i", std::to_string(i), "must be in 0.." + std::to_string(static_cast<std::int64_t>(n) - 1));
  return static_cast<std::size_t>(i);
}

const std::vector<std::string>& flagged(const crmkit_kano* k, const char* which, const char* fn) {
  require(k, fn, "k");
  require(which, fn, "which");
  const std::string w = which;
  if (w == "straightliners") return k->result.quality.straightliners;
  if (w == "questionable_respondents") return k->result.quality.questionable_respondents;
  throw InvalidArgument(fn, "which", "'" + w + "'", "must be straightliners or questionable_respondents");
}

}  // namespace

extern "C" {

int32_t crmkit_kano_read_csv(const char* path, const crmkit_options* options, crmkit_kano** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_kano_read_csv";
    require(path, fn, "path");
    require(out, fn, "out");
    *out = nullptr;
    const Settings s = settings(options, fn);
    const kano::SurveyTable t = kano::read_survey(path, s.words);
    *out = run(t.view(), s, t.inputs());
  });
}

int32_t crmkit_kano_analyze(const char* const* respondent, const char* const* feature, const char* const* functional,
                            const char* const* dysfunctional, const double* importance, int64_t n,
                            const crmkit_options* options, crmkit_kano** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_kano_analyze";
    require(out, fn, "out");
    *out = nullptr;
    check_n(n, fn);
    check_strings(respondent, n, fn, "respondent");
    check_strings(feature, n, fn, "feature");
    check_strings(functional, n, fn, "functional");
    check_strings(dysfunctional, n, fn, "dysfunctional");
    const Settings s = settings(options, fn);
    const auto un = static_cast<std::size_t>(n);
    std::vector<std::string_view> r(respondent, respondent + un), f(feature, feature + un),
        fu(functional, functional + un), dy(dysfunctional, dysfunctional + un);
    const std::span<const double> imp = importance ? std::span<const double>(importance, un) : std::span<const double>();
    const kano::SurveyTable t = kano::SurveyTable::from_strings(r, f, fu, dy, imp, s.words);
    *out = run(t.view(), s);
  });
}

int32_t crmkit_kano_analyze_codes(const char* const* respondent, const char* const* feature, const int32_t* functional,
                                  const int32_t* dysfunctional, const double* importance, int64_t n,
                                  const crmkit_options* options, crmkit_kano** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_kano_analyze_codes";
    require(out, fn, "out");
    *out = nullptr;
    check_n(n, fn);
    check_strings(respondent, n, fn, "respondent");
    check_strings(feature, n, fn, "feature");
    if (n > 0) {
      require(functional, fn, "functional");
      require(dysfunctional, fn, "dysfunctional");
    }
    const Settings s = settings(options, fn);
    const auto un = static_cast<std::size_t>(n);
    crmkit::core::Dictionary rd, fd;
    std::vector<std::uint32_t> rc(un), fc(un);
    for (std::size_t i = 0; i < un; ++i) {
      rc[i] = rd.encode(respondent[i]);
      fc[i] = fd.encode(feature[i]);
    }
    kano::SurveyView v;
    v.respondent = rc;
    v.feature = fc;
    v.functional = std::span<const std::int32_t>(functional, un);
    v.dysfunctional = std::span<const std::int32_t>(dysfunctional, un);
    if (importance) v.importance = std::span<const double>(importance, un);
    v.feature_names = fd.ids();
    v.respondent_names = rd.ids();
    *out = run(v, s);
  });
}

int32_t crmkit_kano_analyze_coded(const uint32_t* respondent, const char* const* respondent_names, int64_t n_respondents,
                                  const uint32_t* feature, const char* const* feature_names, int64_t n_features,
                                  const int32_t* functional, const int32_t* dysfunctional, const double* importance,
                                  int64_t n, const crmkit_options* options, crmkit_kano** out) {
  return guard([&] {
    constexpr const char* fn = "crmkit_kano_analyze_coded";
    require(out, fn, "out");
    *out = nullptr;
    check_n(n, fn);
    if (n_features < 0) throw InvalidArgument(fn, "n_features", std::to_string(n_features), "must be >= 0");
    if (n_respondents < 0) throw InvalidArgument(fn, "n_respondents", std::to_string(n_respondents), "must be >= 0");
    check_strings(feature_names, n_features, fn, "feature_names");
    if (respondent_names) check_strings(respondent_names, n_respondents, fn, "respondent_names");
    if (n > 0) {
      require(respondent, fn, "respondent");
      require(feature, fn, "feature");
      require(functional, fn, "functional");
      require(dysfunctional, fn, "dysfunctional");
    }
    const auto un = static_cast<std::size_t>(n);
    // Codes must index the dictionaries (feature codes are checked again by kano::analyze).
    for (std::size_t i = 0; i < un; ++i)
      if (static_cast<std::int64_t>(respondent[i]) >= n_respondents)
        throw InvalidArgument(fn, "respondent[" + std::to_string(i) + "]", std::to_string(respondent[i]),
                              "must be a code < n_respondents (" + std::to_string(n_respondents) + ")");
    const Settings s = settings(options, fn);
    std::vector<std::string> fnames(feature_names, feature_names + n_features), rnames;
    if (respondent_names) rnames.assign(respondent_names, respondent_names + n_respondents);
    kano::SurveyView v;
    v.respondent = std::span<const std::uint32_t>(respondent, un);
    v.feature = std::span<const std::uint32_t>(feature, un);
    v.functional = std::span<const std::int32_t>(functional, un);
    v.dysfunctional = std::span<const std::int32_t>(dysfunctional, un);
    if (importance) v.importance = std::span<const double>(importance, un);
    v.feature_names = fnames;
    v.respondent_names = rnames;
    *out = run(v, s);
  });
}

int32_t crmkit_kano_feature_count(const crmkit_kano* k, int64_t* n) {
  return guard([&] {
    require(k, "crmkit_kano_feature_count", "k");
    require(n, "crmkit_kano_feature_count", "n");
    *n = static_cast<int64_t>(k->result.features.size());
  });
}

int32_t crmkit_kano_feature_name(const crmkit_kano* k, int64_t i, const char** name) {
  return guard([&] {
    constexpr const char* fn = "crmkit_kano_feature_name";
    const std::size_t j = index(k, i, fn);
    require(name, fn, "name");
    *name = k->result.features[j].feature.c_str();
  });
}

int32_t crmkit_kano_counts(const crmkit_kano* k, int64_t* out, int64_t len) {
  return guard([&] {
    constexpr const char* fn = "crmkit_kano_counts";
    require(k, fn, "k");
    const auto& fs = k->result.features;
    crmkit::capi::check_out(out, len, fs.size() * kano::kCategories, fn);
    for (std::size_t i = 0; i < fs.size(); ++i)
      for (std::size_t c = 0; c < kano::kCategories; ++c) out[i * kano::kCategories + c] = fs[i].counts[c];
  });
}

int32_t crmkit_kano_categories(const crmkit_kano* k, int32_t* out, int64_t len) {
  return guard([&] {
    constexpr const char* fn = "crmkit_kano_categories";
    require(k, fn, "k");
    const auto& fs = k->result.features;
    crmkit::capi::check_out(out, len, fs.size(), fn);
    for (std::size_t i = 0; i < fs.size(); ++i) out[i] = fs[i].n ? static_cast<int32_t>(fs[i].category) : -1;
  });
}

int32_t crmkit_kano_values(const crmkit_kano* k, const char* what, double* out, int64_t len) {
  return guard([&] {
    constexpr const char* fn = "crmkit_kano_values";
    require(k, fn, "k");
    require(what, fn, "what");
    const auto& fs = k->result.features;
    const std::string w = what;
    using F = kano::FeatureResult;
    double F::*field = nullptr;
    int share = -1;
    bool weighted_share = false;
    static const std::pair<const char*, double F::*> fields[] = {
        {"better", &F::better},
        {"worse", &F::worse},
        {"category_strength", &F::category_strength},
        {"total_strength", &F::total_strength},
        {"fong_difference", &F::fong_difference},
        {"fong_critical", &F::fong_critical},
        {"functional_mean", &F::functional_mean},
        {"functional_sd", &F::functional_sd},
        {"dysfunctional_mean", &F::dysfunctional_mean},
        {"dysfunctional_sd", &F::dysfunctional_sd},
        {"importance_mean", &F::importance_mean},
        {"weighted_better", &F::weighted_better},
        {"weighted_worse", &F::weighted_worse},
        {"weighted_functional_mean", &F::weighted_functional_mean},
        {"weighted_dysfunctional_mean", &F::weighted_dysfunctional_mean},
        {"benefit", &F::benefit},
        {"cost", &F::cost},
        {"frequency", &F::frequency}};
    for (const auto& [name, f] : fields)
      if (w == name) field = f;
    for (const char* prefix : {"share_", "weighted_share_"}) {
      const std::string p = prefix;
      if (w.size() == p.size() + 1 && w.compare(0, p.size(), p) == 0)
        if (const auto c = kano::category_from_letter(w.back()); c && std::isupper(static_cast<unsigned char>(w.back()))) {
          share = static_cast<int>(*c);
          weighted_share = p == "weighted_share_";
        }
    }
    if (!field && share < 0)
      throw InvalidArgument(fn, "what", "'" + w + "'",
                            "must be better, worse, category_strength, total_strength, fong_difference, "
                            "fong_critical, functional_mean, functional_sd, dysfunctional_mean, dysfunctional_sd, "
                            "importance_mean, weighted_better, weighted_worse, weighted_functional_mean, "
                            "weighted_dysfunctional_mean, benefit, cost, frequency, share_X or weighted_share_X "
                            "(X one of A, O, M, I, R, Q)");
    crmkit::capi::check_out(out, len, fs.size(), fn);
    for (std::size_t i = 0; i < fs.size(); ++i) {
      if (field) out[i] = fs[i].*field;
      else out[i] = (weighted_share ? fs[i].weighted_shares : fs[i].shares)[static_cast<std::size_t>(share)];
    }
  });
}

int32_t crmkit_kano_flags(const crmkit_kano* k, const char* what, int64_t* out, int64_t len) {
  return guard([&] {
    constexpr const char* fn = "crmkit_kano_flags";
    require(k, fn, "k");
    require(what, fn, "what");
    const std::string w = what;
    if (w != "n" && w != "priority" && w != "fong_significant" && w != "tie_broken")
      throw InvalidArgument(fn, "what", "'" + w + "'", "must be n, priority, fong_significant or tie_broken");
    const auto& fs = k->result.features;
    crmkit::capi::check_out(out, len, fs.size(), fn);
    for (std::size_t i = 0; i < fs.size(); ++i)
      out[i] = w == "n" ? fs[i].n : w == "priority" ? fs[i].priority
               : w == "fong_significant"             ? int64_t{fs[i].fong_significant}
                                                     : int64_t{fs[i].tie_broken};
  });
}

int32_t crmkit_kano_recommendation(const crmkit_kano* k, int64_t i, const char** text) {
  return guard([&] {
    constexpr const char* fn = "crmkit_kano_recommendation";
    const std::size_t j = index(k, i, fn);
    require(text, fn, "text");
    *text = k->result.features[j].recommendation.c_str();
  });
}

int32_t crmkit_kano_quality(const crmkit_kano* k, const char* what, int64_t* value) {
  return guard([&] {
    constexpr const char* fn = "crmkit_kano_quality";
    require(k, fn, "k");
    require(what, fn, "what");
    require(value, fn, "value");
    const auto& q = k->result.quality;
    const std::string w = what;
    if (w == "rows") *value = q.rows;
    else if (w == "used_rows") *value = q.used_rows;
    else if (w == "respondents") *value = q.respondents;
    else if (w == "missing_answers") *value = q.missing_answers;
    else if (w == "invalid_answers") *value = q.invalid_answers;
    else if (w == "skipped_rows") *value = q.skipped_rows;
    else if (w == "excluded_rows") *value = q.excluded_rows;
    else if (w == "missing_importance") *value = q.missing_importance;
    else
      throw InvalidArgument(fn, "what", "'" + w + "'",
                            "must be rows, used_rows, respondents, missing_answers, invalid_answers, skipped_rows, "
                            "excluded_rows or missing_importance");
  });
}

int32_t crmkit_kano_issue_count(const crmkit_kano* k, int64_t* n) {
  return guard([&] {
    require(k, "crmkit_kano_issue_count", "k");
    require(n, "crmkit_kano_issue_count", "n");
    *n = static_cast<int64_t>(k->result.quality.issues.size());
  });
}

int32_t crmkit_kano_issue(const crmkit_kano* k, int64_t i, int64_t* row, int64_t* line, const char** column,
                          const char** answer, const char** problem) {
  return guard([&] {
    constexpr const char* fn = "crmkit_kano_issue";
    require(k, fn, "k");
    const auto& is = k->result.quality.issues;
    if (i < 0 || static_cast<std::size_t>(i) >= is.size())
      throw InvalidArgument(fn, "i", std::to_string(i),
                            "must be in 0.." + std::to_string(static_cast<std::int64_t>(is.size()) - 1));
    const auto& x = is[static_cast<std::size_t>(i)];
    if (row) *row = static_cast<int64_t>(x.row);
    if (line) *line = x.line;
    if (column) *column = x.column.c_str();
    if (answer) *answer = x.answer.c_str();
    if (problem) *problem = x.problem.c_str();
  });
}

int32_t crmkit_kano_flagged_count(const crmkit_kano* k, const char* which, int64_t* n) {
  return guard([&] {
    const auto& v = flagged(k, which, "crmkit_kano_flagged_count");
    require(n, "crmkit_kano_flagged_count", "n");
    *n = static_cast<int64_t>(v.size());
  });
}

int32_t crmkit_kano_flagged(const crmkit_kano* k, const char* which, int64_t i, const char** respondent) {
  return guard([&] {
    constexpr const char* fn = "crmkit_kano_flagged";
    const auto& v = flagged(k, which, fn);
    require(respondent, fn, "respondent");
    if (i < 0 || static_cast<std::size_t>(i) >= v.size())
      throw InvalidArgument(fn, "i", std::to_string(i),
                            "must be in 0.." + std::to_string(static_cast<std::int64_t>(v.size()) - 1));
    *respondent = v[static_cast<std::size_t>(i)].c_str();
  });
}

int32_t crmkit_kano_to_json(const crmkit_kano* k, char* buffer, int64_t capacity, int64_t* length) {
  return guard([&] {
    constexpr const char* fn = "crmkit_kano_to_json";
    require(k, fn, "k");
    require(length, fn, "length");
    const std::string s = kano::to_json(k->result).dump();
    *length = static_cast<int64_t>(s.size());
    if (!buffer && capacity == 0) return;
    require(buffer, fn, "buffer");
    if (capacity < *length + 1)
      throw crmkit::capi::BufferTooSmall(std::string(fn) + ": buffer of " + std::to_string(capacity) +
                                         " bytes is smaller than the " + std::to_string(*length + 1) + " needed");
    std::memcpy(buffer, s.c_str(), s.size() + 1);
  });
}

int32_t crmkit_kano_free(crmkit_kano* k) {
  delete k;
  return CRMKIT_OK;
}

}  // extern "C"
