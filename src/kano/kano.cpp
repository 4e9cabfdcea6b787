// Kano questionnaire analysis (kano/kano.hpp). Formulas and sources: docs/models/kano.md.
#include "crmkit/kano/kano.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "crmkit/core/error.hpp"
#include "crmkit/core/ids.hpp"
#include "crmkit/io/table.hpp"

namespace crmkit::kano {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kLetters = "AOMIRQ";
// DuMouchel's asymmetric scale (Berger et al. 1993, section IVb), by answer code 1..5.
constexpr std::array<double, 5> kFunctionalScore = {4, 2, 0, -1, -2};
constexpr std::array<double, 5> kDysfunctionalScore = {-2, -1, 0, 2, 4};
// Tie-break and roadmap order: M > O > A > I > R > Q.
constexpr std::array<Category, kCategories> kPriorityOrder = {Category::M, Category::O, Category::A,
                                                               Category::I, Category::R, Category::Q};
constexpr const char* kExpectedAnswer =
    "an answer code 1-5 or a word (like, must-be, neutral, live-with, dislike)";

std::size_t idx(Category c) { return static_cast<std::size_t>(c); }

int rank_of(Category c) {
  for (std::size_t i = 0; i < kPriorityOrder.size(); ++i)
    if (kPriorityOrder[i] == c) return static_cast<int>(i);
  return static_cast<int>(kCategories);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Typographic quotes become ASCII (U+2018/U+2019 -> ', U+201C/U+201D -> ") and a no-break space
// (U+00A0) a blank; then lower case (ASCII); '-', '_' and runs of blanks become one space; surrounding
// blanks and a final '.' or '!' dropped.
std::string normalise(std::string_view in) {
  std::string s;
  s.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c == 0xE2 && i + 2 < in.size() && static_cast<unsigned char>(in[i + 1]) == 0x80) {
      const auto c2 = static_cast<unsigned char>(in[i + 2]);
      if (c2 == 0x98 || c2 == 0x99) {
        s += '\'';
        i += 2;
        continue;
      }
      if (c2 == 0x9C || c2 == 0x9D) {
        s += '"';
        i += 2;
        continue;
      }
    }
    if (c == 0xC2 && i + 1 < in.size() && static_cast<unsigned char>(in[i + 1]) == 0xA0) {
      s += ' ';
      ++i;
      continue;
    }
    s += in[i];
  }
  std::string_view v = trim(s);
  while (!v.empty() && (v.back() == '.' || v.back() == '!')) v.remove_suffix(1);
  std::string out;
  out.reserve(v.size());
  bool space = false;
  for (char ch : v) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '-' || c == '_' || std::isspace(c)) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(c));
  }
  return out;
}

double median(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

nlohmann::json num(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }

}  // namespace

char letter(Category c) noexcept { return kLetters[idx(c)]; }

std::optional<Category> category_from_letter(char c) noexcept {
  const char u = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (std::size_t i = 0; i < kCategories; ++i)
    if (kLetters[i] == u) return static_cast<Category>(i);
  return std::nullopt;
}

// ---- evaluation table ---------------------------------------------------------------------------

EvaluationTable EvaluationTable::standard() noexcept {
  using C = Category;
  EvaluationTable t;
  t.cell = {{{C::Q, C::A, C::A, C::A, C::O},
             {C::R, C::I, C::I, C::I, C::M},
             {C::R, C::I, C::I, C::I, C::M},
             {C::R, C::I, C::I, C::I, C::M},
             {C::R, C::R, C::R, C::R, C::Q}}};
  return t;
}

namespace {
EvaluationTable table_from(const io::CsvTable& t) {
  if (t.rows() != 5 || t.cols() != 5)
    throw ParseError(t.source(), t.rows() ? t.line(0) : 1, 0, "",
                     "an evaluation table of 5 rows (functional 1-5) by 5 letters (dysfunctional 1-5)",
                     std::to_string(t.rows()) + " rows of " + std::to_string(t.cols()) + " fields");
  EvaluationTable e;
  for (std::size_t r = 0; r < 5; ++r)
    for (std::size_t c = 0; c < 5; ++c) {
      const std::string_view cell = trim(t.cell(r, c));
      const auto cat = cell.size() == 1 ? category_from_letter(cell[0]) : std::nullopt;
      if (!cat) t.fail(r, c, "a category letter A, O, M, I, R or Q");
      e.cell[r][c] = *cat;
    }
  return e;
}
io::TableReadOptions table_options() {
  io::TableReadOptions o;
  o.header = false;
  return o;
}
}  // namespace

EvaluationTable EvaluationTable::parse(std::string_view text, const std::string& source) {
  return table_from(io::parse_table(text, table_options(), source));
}

EvaluationTable EvaluationTable::load(const std::string& path) {
  return table_from(io::read_table(path, table_options()));
}

// ---- answer words -------------------------------------------------------------------------------

AnswerMap::AnswerMap() {
  const std::pair<const char*, std::int32_t> defaults[] = {
      {"like", 1},        {"i like it", 1},        {"i like it that way", 1},
      {"must be", 2},     {"mustbe", 2},           {"expect", 2},
      {"i expect it", 2}, {"it must be that way", 2},
      {"neutral", 3},     {"i am neutral", 3},     {"i'm neutral", 3},
      {"indifferent", 3}, {"live with", 4},        {"livewith", 4},
      {"tolerate", 4},    {"i can tolerate it", 4}, {"i can live with it", 4},
      {"dislike", 5},     {"i dislike it", 5},     {"i dislike it that way", 5}};
  for (const auto& [w, c] : defaults) words_.emplace_back(w, c);
}

void AnswerMap::set(std::string_view word, std::int32_t code) {
  const std::string key = normalise(word);
  if (key.empty()) throw InvalidArgument("kano::AnswerMap::set", "word", "''", "must not be blank");
  if (code < 1 || code > 5)
    throw InvalidArgument("kano::AnswerMap::set", "code", std::to_string(code), "must be an answer code 1..5");
  for (auto& [w, c] : words_)
    if (w == key) {
      c = code;
      return;
    }
  words_.emplace_back(key, code);
}

AnswerMap AnswerMap::parse(std::string_view spec) {
  AnswerMap m;
  m.words_.clear();
  std::size_t p = 0;
  while (p <= spec.size()) {
    std::size_t q = spec.find(',', p);
    if (q == std::string_view::npos) q = spec.size();
    const std::string_view entry = trim(spec.substr(p, q - p));
    p = q + 1;
    if (entry.empty()) continue;
    const std::size_t eq = entry.rfind('=');
    std::int32_t code = 0;
    const std::string_view c = eq == std::string_view::npos ? std::string_view() : trim(entry.substr(eq + 1));
    const auto r = std::from_chars(c.data(), c.data() + c.size(), code);
    if (eq == std::string_view::npos || r.ec != std::errc() || r.ptr != c.data() + c.size() || code < 1 || code > 5)
      throw InvalidArgument("kano::AnswerMap::parse", "words", "'" + std::string(entry) + "'",
                            "each entry must be word=code with a code 1..5");
    m.set(entry.substr(0, eq), code);
  }
  if (m.words_.empty())
    throw InvalidArgument("kano::AnswerMap::parse", "words", "'" + std::string(spec) + "'", "names no word");
  return m;
}

namespace {

// The answer of a word-map row: a code 1..5 or a default word; -1 otherwise.
std::int32_t map_answer(std::string_view text) {
  static const AnswerMap defaults;
  const std::int32_t c = defaults.code(text);
  return c >= 1 ? c : -1;
}

AnswerMap map_from(const io::CsvTable& t) {
  if (t.cols() != 2)
    throw ParseError(t.source(), t.rows() ? t.line(0) : 1, 0, "",
                     "a word map of two columns, wording,answer (quote a wording that contains a comma)",
                     std::to_string(t.cols()) + " columns");
  AnswerMap m;
  m.clear();
  std::vector<std::pair<std::string, std::size_t>> seen;  // normalised wording -> row
  bool any = false;
  for (std::size_t r = 0; r < t.rows(); ++r) {
    const std::int32_t code = map_answer(t.cell(r, 1));
    if (r == 0 && code < 0) {  // a header row: wording,answer
      const std::string h = normalise(t.cell(r, 1));
      if (h == "answer" || h == "code" || h == "value") continue;
    }
    if (code < 0)
      t.fail(r, 1, "an answer: a code 1-5 or like, must-be, neutral, live-with, dislike");
    const std::string key = normalise(t.cell(r, 0));
    if (key.empty()) t.fail(r, 0, "a wording (not blank)");
    for (const auto& [w, row] : seen)
      if (w == key)
        t.fail(r, 0, "each wording once (line " + std::to_string(t.line(row)) + " already maps '" +
                         std::string(trim(t.cell(row, 0))) + "')");
    seen.emplace_back(key, r);
    m.set(key, code);
    any = true;
  }
  if (!any) throw ParseError(t.source(), 0, 0, "", "a word map with at least one wording,answer row", "none");
  return m;
}

io::TableReadOptions map_options() {
  io::TableReadOptions o;
  o.header = false;
  o.delimiter = io::Delimiter::Comma;
  return o;
}

}  // namespace

AnswerMap AnswerMap::load(const std::string& path) { return map_from(io::read_table(path, map_options())); }

AnswerMap AnswerMap::parse_csv(std::string_view text, std::string source) {
  return map_from(io::parse_table(text, map_options(), std::move(source)));
}

std::int32_t AnswerMap::code(std::string_view text) const {
  text = trim(text);
  if (text.empty()) return kMissingAnswer;
  if (text.size() <= 4 && text[0] >= '0' && text[0] <= '9') {
    // "1".."5", also "1.0"
    double v = 0;
    const std::string s(text);
    char* end = nullptr;
    v = std::strtod(s.c_str(), &end);
    if (end == s.c_str() + s.size() && v == std::floor(v) && v >= 1 && v <= 5) return static_cast<std::int32_t>(v);
    return -1;
  }
  const std::string key = normalise(text);
  for (const auto& [w, c] : words_)
    if (w == key) return c;
  return -1;
}

// ---- analysis -----------------------------------------------------------------------------------

namespace {

struct RespondentStats {
  std::int64_t answered = 0, questionable = 0;
  std::int32_t f = 0, d = 0;
  bool same = true;
};

struct Accum {
  std::array<std::int64_t, kCategories> counts{};
  std::array<double, kCategories> wcounts{};
  double fs = 0, fss = 0, ds = 0, dss = 0;  // DuMouchel sums over A/O/M/I pairs
  std::int64_t dn = 0;
  double wsum = 0, wfs = 0, wds = 0;  // weighted DuMouchel
  double isum = 0;
  std::int64_t in = 0;
};

void check_len(std::size_t got, std::size_t n, const char* name) {
  if (got != n)
    throw InvalidArgument("kano::analyze", name, std::to_string(got) + " rows",
                          "must have as many rows as functional (" + std::to_string(n) + ")");
}

}  // namespace

KanoResult analyze(const SurveyView& s, const KanoOptions& o, const FeatureInputs& inputs) {
  constexpr const char* fn = "kano::analyze";
  const std::size_t n = s.functional.size();
  check_len(s.dysfunctional.size(), n, "dysfunctional");
  check_len(s.respondent.size(), n, "respondent");
  check_len(s.feature.size(), n, "feature");
  if (!s.importance.empty()) check_len(s.importance.size(), n, "importance");
  if (!s.line.empty()) check_len(s.line.size(), n, "line");
  if (!s.functional_text.empty()) check_len(s.functional_text.size(), n, "functional_text");
  if (!s.dysfunctional_text.empty()) check_len(s.dysfunctional_text.size(), n, "dysfunctional_text");
  const std::size_t nf = s.feature_names.size();
  if (!inputs.cost.empty() && inputs.cost.size() != nf)
    throw InvalidArgument(fn, "cost", std::to_string(inputs.cost.size()) + " values",
                          "must have one value per feature (" + std::to_string(nf) + ")");
  if (!inputs.frequency.empty() && inputs.frequency.size() != nf)
    throw InvalidArgument(fn, "frequency", std::to_string(inputs.frequency.size()) + " values",
                          "must have one value per feature (" + std::to_string(nf) + ")");
  if (!(o.tie_threshold >= 0 && o.tie_threshold <= 1))
    throw InvalidArgument(fn, "tie_threshold", std::to_string(o.tie_threshold), "must be in [0, 1]");
  if (!(o.fong_z > 0) || !std::isfinite(o.fong_z))
    throw InvalidArgument(fn, "fong_z", std::to_string(o.fong_z), "must be a finite number > 0");
  if (!(o.questionable_share > 0 && o.questionable_share <= 1))
    throw InvalidArgument(fn, "questionable_share", std::to_string(o.questionable_share), "must be in (0, 1]");
  if (o.straightline_min_features < 2)
    throw InvalidArgument(fn, "straightline_min_features", std::to_string(o.straightline_min_features),
                          "must be >= 2");
  for (const auto* split : {&o.benefit_split, &o.cost_split, &o.frequency_split})
    if (std::isinf(*split)) throw InvalidArgument(fn, "split", "inf", "must be finite, or NaN for the median");

  std::size_t nr = s.respondent_names.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (s.feature[i] >= nf)
      throw InvalidArgument(fn, "feature[" + std::to_string(i) + "]", std::to_string(s.feature[i]),
                            "must be a feature code < " + std::to_string(nf));
    if (!s.respondent_names.empty() && s.respondent[i] >= nr)
      throw InvalidArgument(fn, "respondent[" + std::to_string(i) + "]", std::to_string(s.respondent[i]),
                            "must be a respondent code < " + std::to_string(nr));
  }
  if (s.respondent_names.empty())
    for (std::size_t i = 0; i < n; ++i) nr = std::max<std::size_t>(nr, std::size_t{s.respondent[i]} + 1);
  auto respondent_name = [&](std::size_t r) {
    return s.respondent_names.empty() ? std::to_string(r) : s.respondent_names[r];
  };

  KanoResult res;
  res.has_importance = !s.importance.empty();
  QualityReport& q = res.quality;
  q.rows = static_cast<std::int64_t>(n);

  // 1. Validate and classify each row.
  constexpr std::uint8_t kNone = 255;
  std::vector<std::uint8_t> cat(n, kNone);
  std::vector<RespondentStats> rs(nr);
  struct Unknown {
    std::string text;  // as first given
    std::int64_t count;
  };
  std::vector<Unknown> unknown;  // distinct unknown answers (normalised), in order of first appearance
  std::unordered_map<std::string, std::size_t> unknown_index;
  std::int64_t unknown_total = 0;
  std::size_t first_unknown_row = 0;
  int first_unknown_which = 0;
  for (std::size_t i = 0; i < n; ++i) {
    bool ok = true;
    for (int which = 0; which < 2; ++which) {
      const std::int32_t a = which == 0 ? s.functional[i] : s.dysfunctional[i];
      if (a >= 1 && a <= 5) continue;
      ok = false;
      const char* column = which == 0 ? "functional" : "dysfunctional";
      const auto& texts = which == 0 ? s.functional_text : s.dysfunctional_text;
      const bool missing = a == kMissingAnswer;
      const std::string text = !texts.empty() ? texts[i] : missing ? std::string() : std::to_string(a);
      if (!missing && o.invalid == InvalidPolicy::Fail) {
        const std::string key = normalise(text);
        const auto [it, fresh] = unknown_index.try_emplace(key, unknown.size());
        if (fresh) unknown.push_back({text, 1});
        else ++unknown[it->second].count;
        if (unknown_total++ == 0) {
          first_unknown_row = i;
          first_unknown_which = which;
        }
        continue;
      }
      if (missing && o.missing == InvalidPolicy::Fail) {
        const std::string expected =
            std::string(kExpectedAnswer) + " (missing answers are rejected; --missing skip leaves the row out, counted)";
        if (!s.source.empty() && !s.line.empty())
          throw ParseError(s.source, s.line[i], which == 0 ? s.functional_column : s.dysfunctional_column, column,
                           expected, text);
        throw InvalidArgument(fn, std::string(column) + "[" + std::to_string(i) + "]", "'" + text + "'",
                              "must be " + expected);
      }
      (missing ? q.missing_answers : q.invalid_answers) += 1;
      q.issues.push_back({i, s.line.empty() ? 0 : s.line[i], column, text, missing ? "missing" : "invalid"});
    }
    if (!s.importance.empty()) {
      const double w = s.importance[i];
      if (std::isnan(w)) {
        ++q.missing_importance;
      } else if (!(w >= 0) || std::isinf(w)) {
        if (!s.source.empty() && !s.line.empty())
          throw ParseError(s.source, s.line[i], 0, "importance", "a finite importance >= 0", std::to_string(w));
        throw InvalidArgument(fn, "importance[" + std::to_string(i) + "]", std::to_string(w),
                              "must be a finite number >= 0 (NaN for none)");
      }
    }
    if (!ok) {
      ++q.skipped_rows;
      continue;
    }
    const Category c = o.table.classify(s.functional[i], s.dysfunctional[i]);
    cat[i] = static_cast<std::uint8_t>(c);
    RespondentStats& r = rs[s.respondent[i]];
    if (r.answered == 0) {
      r.f = s.functional[i];
      r.d = s.dysfunctional[i];
    } else if (r.f != s.functional[i] || r.d != s.dysfunctional[i]) {
      r.same = false;
    }
    ++r.answered;
    if (c == Category::Q) ++r.questionable;
  }

  if (unknown_total > 0) {
    std::string found = std::to_string(unknown_total) + " answer(s) not in the word map, " +
                        std::to_string(unknown.size()) + " distinct:";
    for (std::size_t u = 0; u < unknown.size(); ++u) {
      if (u == 50) {
        found += " ... and " + std::to_string(unknown.size() - 50) + " more";
        break;
      }
      found += std::string(u ? ", " : " ") + "\"" + unknown[u].text + "\" (" + std::to_string(unknown[u].count) + ")";
    }
    const std::string expected =
        std::string(kExpectedAnswer) +
        "; map each wording to an answer with --words-file FILE (CSV rows wording,answer) or --words "
        "'wording=code,...', or leave those rows out with --invalid skip (options words_file, words, invalid)";
    const std::size_t i = first_unknown_row;
    const char* column = first_unknown_which == 0 ? "functional" : "dysfunctional";
    if (!s.source.empty() && !s.line.empty())
      throw ParseError(s.source, s.line[i], first_unknown_which == 0 ? s.functional_column : s.dysfunctional_column,
                       column, expected, found);
    throw InvalidArgument(fn, "answers", found, "must be " + expected);
  }

  // 2. Respondent checks.
  std::vector<char> excluded(nr, 0);
  for (std::size_t r = 0; r < nr; ++r) {
    const RespondentStats& st = rs[r];
    if (st.answered > 0) ++q.respondents;
    if (st.same && st.answered >= o.straightline_min_features) {
      q.straightliners.push_back(respondent_name(r));
      if (o.exclude_straightliners) excluded[r] = 1;
    }
    if (st.questionable > 0 &&
        static_cast<double>(st.questionable) >= o.questionable_share * static_cast<double>(st.answered)) {
      q.questionable_respondents.push_back(respondent_name(r));
      if (o.exclude_questionable) excluded[r] = 1;
    }
  }

  // 3. Per-feature accumulation, in row order (deterministic).
  std::vector<Accum> acc(nf);
  for (std::size_t i = 0; i < n; ++i) {
    if (cat[i] == kNone) continue;
    if (excluded[s.respondent[i]]) {
      ++q.excluded_rows;
      continue;
    }
    ++q.used_rows;
    Accum& a = acc[s.feature[i]];
    const std::size_t c = cat[i];
    ++a.counts[c];
    const bool aomi = c <= idx(Category::I);
    const double fsc = kFunctionalScore[static_cast<std::size_t>(s.functional[i] - 1)];
    const double dsc = kDysfunctionalScore[static_cast<std::size_t>(s.dysfunctional[i] - 1)];
    if (aomi) {
      a.fs += fsc;
      a.fss += fsc * fsc;
      a.ds += dsc;
      a.dss += dsc * dsc;
      ++a.dn;
    }
    if (!s.importance.empty() && !std::isnan(s.importance[i])) {
      const double w = s.importance[i];
      a.wcounts[c] += w;
      a.isum += w;
      ++a.in;
      if (aomi) {
        a.wsum += w;
        a.wfs += w * fsc;
        a.wds += w * dsc;
      }
    }
  }

  // 4. Per-feature results.
  res.features.resize(nf);
  for (std::size_t k = 0; k < nf; ++k) {
    const Accum& a = acc[k];
    FeatureResult& f = res.features[k];
    f.feature = s.feature_names[k];
    f.counts = a.counts;
    f.n = std::accumulate(a.counts.begin(), a.counts.end(), std::int64_t{0});
    const double dn = static_cast<double>(f.n);
    for (std::size_t c = 0; c < kCategories; ++c) f.shares[c] = f.n ? static_cast<double>(a.counts[c]) / dn : 0.0;
    // Mode with the tie rule.
    const double top = *std::max_element(f.shares.begin(), f.shares.end());
    int tied = 0;
    bool chosen = false;
    for (Category c : kPriorityOrder) {
      if (f.n && f.shares[idx(c)] >= top - o.tie_threshold - 1e-12 && f.shares[idx(c)] > 0) {
        ++tied;
        if (!chosen) {
          f.category = c;
          chosen = true;
        }
      }
    }
    f.tie_broken = tied > 1;
    std::array<std::int64_t, kCategories> sorted = a.counts;
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    f.category_strength = f.n ? static_cast<double>(sorted[0] - sorted[1]) / dn : 0.0;
    f.total_strength = f.shares[0] + f.shares[1] + f.shares[2];
    const auto A = static_cast<double>(a.counts[0]), O = static_cast<double>(a.counts[1]),
               M = static_cast<double>(a.counts[2]), I = static_cast<double>(a.counts[3]);
    const double aomi = A + O + M + I;
    f.better = aomi > 0 ? (A + O) / aomi : kNaN;
    f.worse = aomi > 0 ? -(O + M) / aomi : kNaN;
    // Fong (1996): the two most frequent categories a >= b of n answers.
    const auto fa = static_cast<double>(sorted[0]), fb = static_cast<double>(sorted[1]);
    f.fong_difference = fa - fb;
    f.fong_critical = f.n ? o.fong_z * std::sqrt((fa + fb) * (2 * dn - fa - fb) / (2 * dn)) : 0.0;
    f.fong_significant = f.n > 0 && f.fong_difference >= f.fong_critical;
    // DuMouchel.
    const auto m = static_cast<double>(a.dn);
    f.functional_mean = a.dn ? a.fs / m : kNaN;
    f.dysfunctional_mean = a.dn ? a.ds / m : kNaN;
    f.functional_sd = a.dn > 1 ? std::sqrt(std::max(0.0, (a.fss - a.fs * a.fs / m) / (m - 1))) : kNaN;
    f.dysfunctional_sd = a.dn > 1 ? std::sqrt(std::max(0.0, (a.dss - a.ds * a.ds / m) / (m - 1))) : kNaN;
    // Importance weighting.
    if (res.has_importance) {
      f.importance_mean = a.in ? a.isum / static_cast<double>(a.in) : kNaN;
      const double wt = std::accumulate(a.wcounts.begin(), a.wcounts.end(), 0.0);
      for (std::size_t c = 0; c < kCategories; ++c) f.weighted_shares[c] = wt > 0 ? a.wcounts[c] / wt : kNaN;
      const double waomi = a.wcounts[0] + a.wcounts[1] + a.wcounts[2] + a.wcounts[3];
      f.weighted_better = waomi > 0 ? (a.wcounts[0] + a.wcounts[1]) / waomi : kNaN;
      f.weighted_worse = waomi > 0 ? -(a.wcounts[1] + a.wcounts[2]) / waomi : kNaN;
      f.weighted_functional_mean = a.wsum > 0 ? a.wfs / a.wsum : kNaN;
      f.weighted_dysfunctional_mean = a.wsum > 0 ? a.wds / a.wsum : kNaN;
    } else {
      f.importance_mean = f.weighted_better = f.weighted_worse = kNaN;
      f.weighted_functional_mean = f.weighted_dysfunctional_mean = kNaN;
      f.weighted_shares.fill(kNaN);
    }
    const bool weighted = res.has_importance && std::isfinite(f.weighted_better);
    f.benefit = weighted ? (f.weighted_better - f.weighted_worse) / 2 : (f.better - f.worse) / 2;
    f.cost = inputs.cost.empty() ? kNaN : inputs.cost[k];
    f.frequency = inputs.frequency.empty() ? kNaN : inputs.frequency[k];
    if (std::isfinite(f.cost) && f.cost < 0)
      throw InvalidArgument(fn, "cost of '" + f.feature + "'", std::to_string(f.cost), "must be >= 0");
    if (std::isfinite(f.frequency) && f.frequency < 0)
      throw InvalidArgument(fn, "frequency of '" + f.feature + "'", std::to_string(f.frequency), "must be >= 0");
  }

  // 5. Priority: category M, O, A, I, R, Q (no answers last), then benefit, then importance, then input order.
  std::vector<std::size_t> order(nf);
  std::iota(order.begin(), order.end(), std::size_t{0});
  auto desc = [](double x, double y) {  // x before y; NaN last
    if (std::isnan(x)) return false;
    if (std::isnan(y)) return true;
    return x > y;
  };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    const FeatureResult& a = res.features[x];
    const FeatureResult& b = res.features[y];
    const int ra = a.n ? rank_of(a.category) : 99, rb = b.n ? rank_of(b.category) : 99;
    if (ra != rb) return ra < rb;
    if (desc(a.benefit, b.benefit)) return true;
    if (desc(b.benefit, a.benefit)) return false;
    return desc(a.importance_mean, b.importance_mean);
  });
  for (std::size_t p = 0; p < nf; ++p) res.features[order[p]].priority = static_cast<std::int64_t>(p + 1);

  // 6. Benefit/cost quadrants.
  if (!inputs.cost.empty()) {
    std::vector<double> b, c, fr;
    for (const auto& f : res.features) {
      b.push_back(f.benefit);
      c.push_back(f.cost);
      fr.push_back(f.frequency);
    }
    const double bs = std::isnan(o.benefit_split) ? median(b) : o.benefit_split;
    const double cs = std::isnan(o.cost_split) ? median(c) : o.cost_split;
    const double fs = std::isnan(o.frequency_split) ? median(fr) : o.frequency_split;
    for (auto& f : res.features) {
      if (!std::isfinite(f.cost) || f.n == 0) continue;
      const bool frequent = inputs.frequency.empty() || !std::isfinite(f.frequency) || f.frequency >= fs;
      const bool high_benefit = std::isfinite(f.benefit) && f.benefit >= bs;
      const bool high_cost = f.cost > cs;
      if (f.category == Category::M && frequent) f.recommendation = "fix now";
      else if (high_benefit) f.recommendation = high_cost ? "roadmap" : "quick win";
      else f.recommendation = high_cost ? "deprioritise" : "fill-in";
    }
  }
  return res;
}

// ---- owned surveys --------------------------------------------------------------------------------

SurveyView SurveyTable::view() const {
  SurveyView v;
  v.respondent = respondent_;
  v.feature = feature_;
  v.functional = functional_;
  v.dysfunctional = dysfunctional_;
  v.importance = importance_;
  v.feature_names = features_;
  v.respondent_names = respondents_;
  v.functional_text = functional_text_;
  v.dysfunctional_text = dysfunctional_text_;
  v.line = line_;
  v.source = source_;
  v.functional_column = functional_col_;
  v.dysfunctional_column = dysfunctional_col_;
  return v;
}

SurveyTable SurveyTable::from_strings(std::span<const std::string_view> respondent,
                                      std::span<const std::string_view> feature,
                                      std::span<const std::string_view> functional,
                                      std::span<const std::string_view> dysfunctional, std::span<const double> importance,
                                      const AnswerMap& words) {
  const std::size_t n = functional.size();
  check_len(dysfunctional.size(), n, "dysfunctional");
  check_len(respondent.size(), n, "respondent");
  check_len(feature.size(), n, "feature");
  if (!importance.empty()) check_len(importance.size(), n, "importance");
  SurveyTable t;
  core::Dictionary rd, fd;
  t.respondent_.reserve(n);
  t.feature_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    t.respondent_.push_back(rd.encode(trim(respondent[i])));
    t.feature_.push_back(fd.encode(trim(feature[i])));
    t.functional_.push_back(words.code(functional[i]));
    t.dysfunctional_.push_back(words.code(dysfunctional[i]));
    t.functional_text_.emplace_back(trim(functional[i]));
    t.dysfunctional_text_.emplace_back(trim(dysfunctional[i]));
  }
  t.importance_.assign(importance.begin(), importance.end());
  t.respondents_ = rd.ids();
  t.features_ = fd.ids();
  return t;
}

namespace {

// Per-feature values from a column that must agree on every row of a feature.
std::vector<double> per_feature(const io::CsvTable& t, std::size_t col, const std::vector<std::uint32_t>& feature,
                                std::size_t nf, const std::vector<std::string>& names) {
  const std::vector<double> v = t.numbers(col, io::Blank::NaN);
  std::vector<double> out(nf, kNaN);
  std::vector<std::size_t> first(nf, 0);
  for (std::size_t r = 0; r < v.size(); ++r) {
    if (std::isnan(v[r])) continue;
    const std::uint32_t k = feature[r];
    if (std::isnan(out[k])) {
      out[k] = v[r];
      first[k] = r;
    } else if (out[k] != v[r]) {
      t.fail(r, col, "the same value on every row of feature '" + names[k] + "' (line " +
                         std::to_string(t.line(first[k])) + " has " + std::string(trim(t.cell(first[k], col))) + ")");
    }
  }
  return out;
}

}  // namespace

struct SurveyBuilder {
  static SurveyTable build(const io::CsvTable& t, const AnswerMap& words);
};

SurveyTable SurveyBuilder::build(const io::CsvTable& t, const AnswerMap& words) {
  const std::size_t rc = t.require({"respondent", "respondent_id", "customer_id", "customer", "id"}, "the respondent column");
  const std::size_t fc = t.require({"feature", "feature_id", "question", "attribute"}, "the feature column");
  const std::size_t fu = t.require({"functional", "functional_answer", "positive"}, "the functional answer column");
  const std::size_t dy =
      t.require({"dysfunctional", "dysfunctional_answer", "negative"}, "the dysfunctional answer column");
  const auto ic = t.find({"importance", "self_stated_importance", "weight"});
  SurveyTable s;
  core::Dictionary rd, fd;
  s.respondent_ = t.encode(rc, rd);
  s.feature_ = t.encode(fc, fd);
  s.respondents_ = rd.ids();
  s.features_ = fd.ids();
  const std::size_t n = t.rows();
  s.functional_.resize(n);
  s.dysfunctional_.resize(n);
  s.functional_text_.resize(n);
  s.dysfunctional_text_.resize(n);
  s.line_.resize(n);
  for (std::size_t r = 0; r < n; ++r) {
    const std::string_view f = t.cell(r, fu), d = t.cell(r, dy);
    s.functional_[r] = words.code(f);
    s.dysfunctional_[r] = words.code(d);
    if (s.functional_[r] < 1) s.functional_text_[r] = std::string(trim(f));
    if (s.dysfunctional_[r] < 1) s.dysfunctional_text_[r] = std::string(trim(d));
    s.line_[r] = t.line(r);
  }
  if (ic) s.importance_ = t.numbers(*ic, io::Blank::NaN);
  if (const auto cc = t.find({"cost", "implementation_cost", "effort"}))
    s.cost_ = per_feature(t, *cc, s.feature_, s.features_.size(), s.features_);
  if (const auto qc = t.find({"frequency", "request_frequency", "requests"}))
    s.frequency_ = per_feature(t, *qc, s.feature_, s.features_.size(), s.features_);
  s.source_ = t.source();
  s.functional_col_ = static_cast<std::int64_t>(fu + 1);
  s.dysfunctional_col_ = static_cast<std::int64_t>(dy + 1);
  return s;
}

namespace {

FeatureInputTable inputs_from(const io::CsvTable& t, std::span<const std::string> names) {
  const std::size_t fc = t.require({"feature", "feature_id", "question", "attribute"}, "the feature column");
  const auto cc = t.find({"cost", "implementation_cost", "effort"});
  const auto qc = t.find({"frequency", "request_frequency", "requests"});
  if (!cc && !qc)
    throw ParseError(t.source(), 1, 0, "", "a cost or frequency column", "header without either");
  core::Dictionary dict;
  for (const auto& nm : names) dict.encode(nm);
  FeatureInputTable out;
  const std::vector<double> cost = cc ? t.numbers(*cc, io::Blank::NaN) : std::vector<double>();
  const std::vector<double> freq = qc ? t.numbers(*qc, io::Blank::NaN) : std::vector<double>();
  if (cc) out.cost.assign(names.size(), kNaN);
  if (qc) out.frequency.assign(names.size(), kNaN);
  std::vector<std::size_t> row_of(names.size(), static_cast<std::size_t>(-1));  // the row naming each feature
  for (std::size_t r = 0; r < t.rows(); ++r) {
    const std::uint32_t k = dict.find(trim(t.cell(r, fc)));
    if (k == core::Dictionary::npos) t.fail(r, fc, "a feature of the survey");
    if (row_of[k] != static_cast<std::size_t>(-1))
      t.fail(r, fc, "each feature once (feature '" + names[k] + "' is already on line " +
                        std::to_string(t.line(row_of[k])) + ")");
    row_of[k] = r;
    if (cc) {
      if (cost[r] < 0) t.fail(r, *cc, "a cost >= 0");
      out.cost[k] = cost[r];
    }
    if (qc) {
      if (freq[r] < 0) t.fail(r, *qc, "a frequency >= 0");
      out.frequency[k] = freq[r];
    }
  }
  return out;
}

}  // namespace

SurveyTable read_survey(const std::string& path, const AnswerMap& words) {
  return SurveyBuilder::build(io::read_table(path), words);
}

SurveyTable parse_survey(std::string_view text, const AnswerMap& words, std::string source) {
  return SurveyBuilder::build(io::parse_table(text, {}, std::move(source)), words);
}

FeatureInputTable read_feature_inputs(const std::string& path, std::span<const std::string> feature_names) {
  return inputs_from(io::read_table(path), feature_names);
}

FeatureInputTable parse_feature_inputs(std::string_view text, std::span<const std::string> feature_names,
                                       std::string source) {
  return inputs_from(io::parse_table(text, {}, std::move(source)), feature_names);
}

// ---- JSON -------------------------------------------------------------------------------------------

nlohmann::json to_json(const KanoResult& r) {
  using nlohmann::json;
  std::vector<const FeatureResult*> order;
  for (const auto& f : r.features) order.push_back(&f);
  std::sort(order.begin(), order.end(), [](const FeatureResult* a, const FeatureResult* b) { return a->priority < b->priority; });
  json features = json::array();
  for (const FeatureResult* f : order) {
    json counts = json::object(), shares = json::object();
    for (std::size_t c = 0; c < kCategories; ++c) {
      const std::string k(1, kLetters[c]);
      counts[k] = f->counts[c];
      shares[k] = f->shares[c];
    }
    json j = {{"feature", f->feature},
              {"n", f->n},
              {"counts", counts},
              {"shares", shares},
              {"category", f->n ? json(std::string(1, letter(f->category))) : json(nullptr)},
              {"tie_broken", f->tie_broken},
              {"better", num(f->better)},
              {"worse", num(f->worse)},
              {"category_strength", f->category_strength},
              {"total_strength", f->total_strength},
              {"fong_significant", f->fong_significant},
              {"fong_difference", f->fong_difference},
              {"fong_critical", f->fong_critical},
              {"functional_mean", num(f->functional_mean)},
              {"functional_sd", num(f->functional_sd)},
              {"dysfunctional_mean", num(f->dysfunctional_mean)},
              {"dysfunctional_sd", num(f->dysfunctional_sd)},
              {"priority", f->priority},
              {"benefit", num(f->benefit)},
              {"cost", num(f->cost)},
              {"frequency", num(f->frequency)},
              {"recommendation", f->recommendation.empty() ? json(nullptr) : json(f->recommendation)}};
    if (r.has_importance) {
      json ws = json::object();
      for (std::size_t c = 0; c < kCategories; ++c) ws[std::string(1, kLetters[c])] = num(f->weighted_shares[c]);
      j["importance_mean"] = num(f->importance_mean);
      j["weighted_shares"] = ws;
      j["weighted_better"] = num(f->weighted_better);
      j["weighted_worse"] = num(f->weighted_worse);
      j["weighted_functional_mean"] = num(f->weighted_functional_mean);
      j["weighted_dysfunctional_mean"] = num(f->weighted_dysfunctional_mean);
    }
    features.push_back(std::move(j));
  }
  const QualityReport& q = r.quality;
  json issues = json::array();
  for (const auto& i : q.issues)
    issues.push_back({{"row", i.row}, {"line", i.line ? json(i.line) : json(nullptr)}, {"column", i.column},
                      {"answer", i.answer}, {"problem", i.problem}});
  json quality = {{"rows", q.rows},
                  {"used_rows", q.used_rows},
                  {"respondents", q.respondents},
                  {"missing_answers", q.missing_answers},
                  {"invalid_answers", q.invalid_answers},
                  {"skipped_rows", q.skipped_rows},
                  {"excluded_rows", q.excluded_rows},
                  {"missing_importance", q.missing_importance},
                  {"issues", issues},
                  {"straightliners", q.straightliners},
                  {"questionable_respondents", q.questionable_respondents}};
  return {{"features", features}, {"quality", quality}};
}

}  // namespace crmkit::kano
