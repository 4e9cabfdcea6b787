// Kano questionnaire analysis: classification of functional/dysfunctional answer pairs with an
// evaluation table (Berger et al. 1993), per-feature counts, shares, category by mode with a tie rule,
// category and total strength, Better/Worse coefficients, Fong's significance test, DuMouchel's
// continuous analysis, importance weighting, data quality checks and roadmap prioritisation.
// docs/models/kano.md gives every formula and its source.
//
//   kano::SurveyTable s = kano::read_survey("survey.csv");          // or kano::SurveyTable::from_text
//   kano::KanoResult r = kano::analyze(s.view(), {});
//   for (const auto& f : r.features) std::cout << f.feature << ' ' << kano::letter(f.category) << '\n';
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace crmkit::kano {

/// Kano categories, in the order of every per-category array: Attractive, One-dimensional, Must-be,
/// Indifferent, Reverse, Questionable.
enum class Category : std::uint8_t { A = 0, O = 1, M = 2, I = 3, R = 4, Q = 5 };
inline constexpr std::size_t kCategories = 6;
/// 'A', 'O', 'M', 'I', 'R' or 'Q'.
char letter(Category c) noexcept;
/// The category of a letter (case-insensitive), or nullopt.
std::optional<Category> category_from_letter(char c) noexcept;

/// Answer codes: 1 like, 2 must-be (expect), 3 neutral, 4 live-with (tolerate), 5 dislike.
/// In the code columns 0 means "no answer" (missing); any other value outside 1..5 is invalid.
inline constexpr std::int32_t kMissingAnswer = 0;

/// The 5x5 evaluation table: cell[functional - 1][dysfunctional - 1].
struct EvaluationTable {
  std::array<std::array<Category, 5>, 5> cell{};

  Category classify(std::int32_t functional, std::int32_t dysfunctional) const noexcept {
    return cell[static_cast<std::size_t>(functional - 1)][static_cast<std::size_t>(dysfunctional - 1)];
  }
  /// Berger et al. (1993), the standard table:
  ///                 dysfunctional: like must-be neutral live-with dislike
  ///   functional like              Q    A       A       A         O
  ///              must-be           R    I       I       I         M
  ///              neutral           R    I       I       I         M
  ///              live-with         R    I       I       I         M
  ///              dislike           R    R       R       R         Q
  static EvaluationTable standard() noexcept;
  /// A table from text: five rows (functional 1..5) of five letters A/O/M/I/R/Q (dysfunctional 1..5),
  /// separated by commas, semicolons, tabs or blanks; no header. ParseError names the cell.
  static EvaluationTable parse(std::string_view text, const std::string& source = "<table>");
  /// parse() of a file (IoError when it cannot be read).
  static EvaluationTable load(const std::string& path);
};

/// Words accepted as answers, matched after normalising: typographic quotes (U+2018/U+2019/U+201C/
/// U+201D) become ASCII quotes, a no-break space a blank, surrounding blanks and a final '.'/'!' are
/// dropped, ASCII case is ignored and '-', '_' and runs of blanks are treated alike. The default maps like/"i like it" -> 1, must-be/expect/"i expect it" -> 2,
/// neutral/"i am neutral" -> 3, live-with/tolerate/"i can tolerate it" -> 4, dislike/"i dislike it" -> 5.
class AnswerMap {
 public:
  AnswerMap();  ///< the default words
  /// Adds (or replaces) a word for a code 1..5.
  void set(std::string_view word, std::int32_t code);
  /// Replaces every word: "word=code,word=code,...". InvalidArgument for a bad entry.
  static AnswerMap parse(std::string_view spec);
  /// Replaces every word by a two-column CSV, wording,answer (an optional header "wording,answer"; a
  /// wording with a comma is quoted; the answer is a code 1..5 or a default word). ParseError at
  /// file:line:column for a bad answer, a blank wording or a wording listed twice.
  static AnswerMap load(const std::string& path);
  static AnswerMap parse_csv(std::string_view text, std::string source = "<words>");
  /// No words at all (codes 1..5 are still answers).
  void clear() noexcept { words_.clear(); }
  /// The code of a cell's text: 1..5 for a code or a known word, 0 for a blank, -1 for anything else.
  std::int32_t code(std::string_view text) const;
  const std::vector<std::pair<std::string, std::int32_t>>& words() const noexcept { return words_; }

 private:
  std::vector<std::pair<std::string, std::int32_t>> words_;  // normalised word -> code
};

/// One survey as columns (views; nothing is kept after analyze()). One row = one respondent's answer
/// pair for one feature.
struct SurveyView {
  std::span<const std::uint32_t> respondent;     ///< dense codes (0..n_respondents-1)
  std::span<const std::uint32_t> feature;        ///< dense codes < feature_names.size()
  std::span<const std::int32_t> functional;      ///< answer codes (see kMissingAnswer)
  std::span<const std::int32_t> dysfunctional;
  std::span<const double> importance;            ///< empty, or self-stated importance >= 0 (NaN = none)
  std::span<const std::string> feature_names;    ///< names by code (required)
  std::span<const std::string> respondent_names; ///< names by code (empty: decimal codes)
  // For messages only (all optional): the answers' original text and the rows' lines in a file.
  std::span<const std::string> functional_text, dysfunctional_text;
  std::span<const std::int64_t> line;
  std::string source;                     ///< file name for ParseError (empty: not from a file)
  std::int64_t functional_column = 0;     ///< 1-based field numbers in the file
  std::int64_t dysfunctional_column = 0;
};

/// Per-feature implementation cost and request frequency (prioritisation inputs), by feature code.
/// Either may be empty; NaN = unknown for that feature.
struct FeatureInputs {
  std::span<const double> cost;
  std::span<const double> frequency;
};

enum class InvalidPolicy {
  Skip,  ///< the pair is left out and counted in the quality report
  Fail,  ///< an error: ParseError (file input) or InvalidArgument
};

struct KanoOptions {
  EvaluationTable table = EvaluationTable::standard();
  /// Answers that are neither a code 1..5 nor a word of the map. Fail (default): one error at the first
  /// such answer listing every distinct unknown wording (normalised) with its count.
  InvalidPolicy invalid = InvalidPolicy::Fail;
  /// Blank (or code 0) answers. Skip (default): the pair is left out and counted; Fail: an error at the
  /// first one.
  InvalidPolicy missing = InvalidPolicy::Skip;
  /// Categories whose share is within tie_threshold of the largest share tie with it; the tie goes
  /// to the first in the order M > O > A > I > R > Q. 0 = exact ties only.
  double tie_threshold = 0.05;
  /// Fong's critical value (1.65 in Fong 1996, a one-sided 5% normal quantile).
  double fong_z = 1.65;
  /// A respondent giving the same answer pair to every feature, with at least this many features
  /// answered, is a straight-liner.
  std::int64_t straightline_min_features = 3;
  bool exclude_straightliners = false;
  /// A respondent with at least this share of Q answers (and >= 1 Q) is flagged.
  double questionable_share = 0.5;
  bool exclude_questionable = false;
  /// Prioritisation splits; NaN = the median over the features.
  double benefit_split = std::numeric_limits<double>::quiet_NaN();
  double cost_split = std::numeric_limits<double>::quiet_NaN();
  double frequency_split = std::numeric_limits<double>::quiet_NaN();
};

struct AnswerIssue {
  std::size_t row = 0;         ///< 0-based input row
  std::int64_t line = 0;       ///< line in the file (0: not from a file)
  std::string column;          ///< "functional" or "dysfunctional"
  std::string answer;          ///< the answer as given ("" when missing)
  std::string problem;         ///< "missing" or "invalid"
};

struct QualityReport {
  std::int64_t rows = 0;              ///< input rows
  std::int64_t used_rows = 0;         ///< rows classified and counted
  std::int64_t missing_answers = 0;   ///< blank / 0 answers (each of the two answers counts)
  std::int64_t invalid_answers = 0;   ///< answers that are neither 1..5 nor a known word
  std::int64_t skipped_rows = 0;      ///< rows left out for a missing or invalid answer
  std::int64_t excluded_rows = 0;     ///< rows of excluded respondents
  std::int64_t missing_importance = 0;///< rows with an importance column but no value
  std::int64_t respondents = 0;
  std::vector<AnswerIssue> issues;    ///< every missing or invalid answer, in row order
  std::vector<std::string> straightliners;           ///< respondents (names)
  std::vector<std::string> questionable_respondents; ///< respondents with many Q answers
};

struct FeatureResult {
  std::string feature;
  std::array<std::int64_t, kCategories> counts{};  ///< A, O, M, I, R, Q
  std::array<double, kCategories> shares{};        ///< counts / n (sum to 1 when n > 0)
  std::int64_t n = 0;                              ///< classified answer pairs
  Category category = Category::I;                 ///< by mode and the tie rule
  bool tie_broken = false;                         ///< another category was within tie_threshold
  double category_strength = 0;  ///< share of the first minus share of the second category
  double total_strength = 0;     ///< share(A) + share(O) + share(M)
  double better = 0;             ///< (A+O)/(A+O+M+I); NaN when A+O+M+I = 0
  double worse = 0;              ///< -(O+M)/(A+O+M+I); NaN when A+O+M+I = 0
  bool fong_significant = false; ///< |a-b| >= z sqrt((a+b)(2n-a-b)/(2n)) for the two largest counts
  double fong_difference = 0, fong_critical = 0;
  /// DuMouchel's continuous analysis over the A/O/M/I pairs: functional scores 4,2,0,-1,-2 and
  /// dysfunctional scores -2,-1,0,2,4 for answers 1..5; means and sample standard deviations
  /// (NaN for fewer than 1 / 2 pairs).
  double functional_mean = 0, functional_sd = 0, dysfunctional_mean = 0, dysfunctional_sd = 0;
  /// Importance-weighted results (NaN without an importance column or when no weight is positive).
  double importance_mean = 0, weighted_better = 0, weighted_worse = 0;
  double weighted_functional_mean = 0, weighted_dysfunctional_mean = 0;
  std::array<double, kCategories> weighted_shares{};
  /// Prioritisation: 1 = first on the roadmap. benefit = (better - worse) / 2 (weighted when an
  /// importance column is given). cost and frequency as supplied (NaN: none).
  std::int64_t priority = 0;
  double benefit = 0, cost = 0, frequency = 0;
  /// "fix now", "quick win", "roadmap", "fill-in", "deprioritise", or "" without a cost.
  std::string recommendation;
};

struct KanoResult {
  std::vector<FeatureResult> features;  ///< by feature code (input order of first appearance)
  QualityReport quality;
  bool has_importance = false;
};

/// Analyses a survey. InvalidArgument for mismatched column lengths, codes out of range, negative
/// importance or bad options; ParseError / InvalidArgument for unknown answers under
/// KanoOptions::invalid = Fail (the default) or a missing one under KanoOptions::missing = Fail.
KanoResult analyze(const SurveyView& survey, const KanoOptions& options = {}, const FeatureInputs& inputs = {});

/// An owned survey: ids encoded, answers mapped to codes, texts and lines kept for messages.
class SurveyTable {
 public:
  /// From string columns (answers as codes "1".."5" or words of `words`). importance may be empty.
  static SurveyTable from_strings(std::span<const std::string_view> respondent,
                                  std::span<const std::string_view> feature,
                                  std::span<const std::string_view> functional,
                                  std::span<const std::string_view> dysfunctional,
                                  std::span<const double> importance = {}, const AnswerMap& words = {});
  SurveyView view() const;
  std::size_t rows() const noexcept { return functional_.size(); }
  const std::vector<std::string>& feature_names() const noexcept { return features_; }
  /// Per-feature cost / frequency read from the survey's own cost / frequency columns (empty: none).
  const std::vector<double>& cost() const noexcept { return cost_; }
  const std::vector<double>& frequency() const noexcept { return frequency_; }
  FeatureInputs inputs() const { return {cost_, frequency_}; }

 private:
  friend struct SurveyBuilder;  // the CSV reader (src/kano/kano.cpp)
  std::vector<std::uint32_t> respondent_, feature_;
  std::vector<std::int32_t> functional_, dysfunctional_;
  std::vector<double> importance_;
  std::vector<std::string> features_, respondents_, functional_text_, dysfunctional_text_;
  std::vector<std::int64_t> line_;
  std::vector<double> cost_, frequency_;
  std::string source_;
  std::int64_t functional_col_ = 0, dysfunctional_col_ = 0;
};

/// Reads a survey CSV with columns respondent (or respondent_id, customer_id, id), feature (or
/// question, attribute), functional, dysfunctional and optionally importance, cost, frequency (cost and
/// frequency must be the same on every row of a feature). Answers are codes 1..5 or words; blanks are
/// missing answers. IoError / ParseError name the file, line and column.
SurveyTable read_survey(const std::string& path, const AnswerMap& words = {});
SurveyTable parse_survey(std::string_view text, const AnswerMap& words = {}, std::string source = "<text>");

/// Per-feature cost and frequency from a CSV with columns feature, cost and optionally frequency
/// (or frequency alone), aligned to `feature_names`. Features not in the file get NaN; a feature in
/// the file but not in the survey is a ParseError naming the row.
struct FeatureInputTable {
  std::vector<double> cost, frequency;  ///< by feature code; empty when the file has no such column
  FeatureInputs inputs() const { return {cost, frequency}; }
};
FeatureInputTable read_feature_inputs(const std::string& path, std::span<const std::string> feature_names);
FeatureInputTable parse_feature_inputs(std::string_view text, std::span<const std::string> feature_names,
                                       std::string source = "<text>");

/// The result as JSON: {"features": [... in priority order ...], "quality": {...}} (docs/models/kano.md).
nlohmann::json to_json(const KanoResult& result);

}  // namespace crmkit::kano
