// crmkit kano: Kano questionnaire analysis of a survey CSV (docs/models/kano.md): one row per feature in
// roadmap priority order, or the whole result as JSON {"features": [...], "quality": {...}}.
#include <array>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "clv_common.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "crmkit/kano/kano.hpp"

namespace crmkit::cli {

namespace {

struct KanoArgs {
  std::string survey, table = "standard", words, words_file, invalid = "fail", missing = "skip", costs;
  double tie_threshold = 0.05, fong_z = 1.65, questionable_share = 0.5;
  std::int64_t straightline_min = 3;
  bool exclude_straightliners = false, exclude_questionable = false;
  OutputArgs out;
};

void report_quality(const kano::QualityReport& q) {
  if (q.skipped_rows > 0 || q.invalid_answers > 0 || q.missing_answers > 0) {
    std::string m = std::to_string(q.skipped_rows) + " row(s) skipped (" + std::to_string(q.missing_answers) +
                    " missing, " + std::to_string(q.invalid_answers) + " invalid answer(s)):";
    std::size_t shown = 0;
    for (const auto& i : q.issues) {
      if (++shown > 10) {
        m += " ...";
        break;
      }
      m += " line " + std::to_string(i.line) + " " + i.column + " " +
           (i.problem == "missing" ? std::string("missing") : "'" + i.answer + "'") + ";";
    }
    warn(m);
  }
  auto list = [](const std::vector<std::string>& v) {
    std::string s;
    for (std::size_t i = 0; i < v.size() && i < 10; ++i) s += (i ? ", " : "") + v[i];
    if (v.size() > 10) s += ", ...";
    return s;
  };
  if (!q.straightliners.empty())
    warn(std::to_string(q.straightliners.size()) + " straight-lining respondent(s): " + list(q.straightliners));
  if (!q.questionable_respondents.empty())
    warn(std::to_string(q.questionable_respondents.size()) +
         " respondent(s) with many questionable answers: " + list(q.questionable_respondents));
}

}  // namespace

static void add_kano(CLI::App& root, std::vector<Command>& commands) {
  auto a = std::make_shared<KanoArgs>();
  CLI::App* app = root.add_subcommand(
      "kano", "Kano survey analysis: per feature counts A,O,M,I,R,Q, category, Better/Worse, strengths, Fong's test, "
              "DuMouchel means and roadmap priority");
  app->add_option("--survey", a->survey,
                  "Survey CSV: respondent, feature, functional, dysfunctional [, importance, cost, frequency]; "
                  "answers 1-5 (like, must-be, neutral, live-with, dislike) or those words")
      ->required()
      ->type_name("FILE");
  app->add_option("--table", a->table,
                  "Evaluation table: standard (Berger et al. 1993) or a FILE of 5 rows x 5 letters A/O/M/I/R/Q")
      ->type_name("standard|FILE")
      ->capture_default_str();
  app->add_option("--words", a->words,
                  "Answer words replacing the defaults: word=code,... (codes 1-5; added to --words-file's words)")
      ->type_name("SPEC");
  app->add_option("--words-file", a->words_file,
                  "Answer words replacing the defaults from a CSV of wording,answer rows (answer: a code 1-5 or "
                  "like/must-be/neutral/live-with/dislike; quote a wording with a comma)")
      ->type_name("FILE");
  app->add_option("--invalid", a->invalid,
                  "Answers that are neither 1-5 nor a known word: fail (list every unknown wording) or skip the row "
                  "(counted on stderr and in the JSON quality report)")
      ->check(CLI::IsMember({"skip", "fail"}))
      ->capture_default_str();
  app->add_option("--missing", a->missing, "Blank answers: skip the row (counted) or fail")
      ->check(CLI::IsMember({"skip", "fail"}))
      ->capture_default_str();
  app->add_option("--tie-threshold", a->tie_threshold,
                  "Categories within this share of the mode tie; ties go M > O > A > I > R > Q")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app->add_option("--fong-z", a->fong_z, "Critical value of Fong's test")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app->add_option("--straightline-min", a->straightline_min,
                  "Features a respondent must answer identically to be a straight-liner")
      ->check(CLI::Range(2, 1000000000))
      ->capture_default_str();
  app->add_flag("--exclude-straightliners", a->exclude_straightliners, "Leave straight-liners out");
  app->add_option("--questionable-share", a->questionable_share,
                  "Share of Q answers that flags a respondent")
      ->check(CLI::Range(1e-9, 1.0))
      ->capture_default_str();
  app->add_flag("--exclude-questionable", a->exclude_questionable, "Leave flagged Q-heavy respondents out");
  app->add_option("--costs", a->costs,
                  "CSV of feature,cost[,frequency] for the benefit/cost quadrant (fix now, quick win, roadmap, "
                  "fill-in, deprioritise)")
      ->type_name("FILE");
  a->out.add_to(*app);
  app->footer(
      "Example:\n  crmkit kano --survey survey.csv --costs costs.csv --format json\n"
      "Columns (csv/table): feature,n,A,O,M,I,R,Q,category,better,worse,category_strength,total_strength,\n"
      "  fong_significant,functional_mean,dysfunctional_mean,priority,benefit,recommendation");

  commands.push_back({app, [a] {
    kano::KanoOptions o;
    if (a->table != "standard") o.table = kano::EvaluationTable::load(a->table);
    o.invalid = a->invalid == "fail" ? kano::InvalidPolicy::Fail : kano::InvalidPolicy::Skip;
    o.missing = a->missing == "fail" ? kano::InvalidPolicy::Fail : kano::InvalidPolicy::Skip;
    o.tie_threshold = a->tie_threshold;
    o.fong_z = a->fong_z;
    o.straightline_min_features = a->straightline_min;
    o.exclude_straightliners = a->exclude_straightliners;
    o.questionable_share = a->questionable_share;
    o.exclude_questionable = a->exclude_questionable;
    kano::AnswerMap words;
    if (!a->words_file.empty()) words = kano::AnswerMap::load(a->words_file);
    if (!a->words.empty()) {
      try {
        const kano::AnswerMap m = kano::AnswerMap::parse(a->words);
        if (a->words_file.empty()) words = m;
        else
          for (const auto& [w, c] : m.words()) words.set(w, c);
      } catch (const InvalidArgument& e) {
        throw UsageError("--words: " + e.rule() + ", found " + e.value());
      }
    }
    const kano::SurveyTable s = kano::read_survey(a->survey, words);
    kano::FeatureInputTable costs;
    kano::FeatureInputs inputs = s.inputs();
    if (!a->costs.empty()) {
      costs = kano::read_feature_inputs(a->costs, s.feature_names());
      inputs = costs.inputs();
    }
    const kano::KanoResult r = kano::analyze(s.view(), o, inputs);
    report_quality(r.quality);
    if (a->out.format == "json") {
      write_text(kano::to_json(r).dump(2) + "\n", a->out.output);
      return;
    }
    std::vector<const kano::FeatureResult*> order(r.features.size());
    for (const auto& f : r.features) order[static_cast<std::size_t>(f.priority - 1)] = &f;
    std::vector<std::string_view> name, category, rec;
    std::vector<std::int64_t> n, fong, priority;
    std::array<std::vector<std::int64_t>, kano::kCategories> counts;
    std::vector<double> better, worse, cs, ts, fm, dm, benefit;
    static const std::string letters[] = {"A", "O", "M", "I", "R", "Q"};
    for (const auto* f : order) {
      name.push_back(f->feature);
      n.push_back(f->n);
      for (std::size_t c = 0; c < kano::kCategories; ++c) counts[c].push_back(f->counts[c]);
      category.push_back(f->n ? std::string_view(letters[static_cast<std::size_t>(f->category)]) : "");
      better.push_back(f->better);
      worse.push_back(f->worse);
      cs.push_back(f->category_strength);
      ts.push_back(f->total_strength);
      fong.push_back(f->fong_significant ? 1 : 0);
      fm.push_back(f->functional_mean);
      dm.push_back(f->dysfunctional_mean);
      priority.push_back(f->priority);
      benefit.push_back(f->benefit);
      rec.push_back(f->recommendation);
    }
    Style d3{3};
    d3.nan_text = "-";
    OutputTable out;
    out.add("feature", std::move(name));
    out.add("n", std::move(n));
    for (std::size_t c = 0; c < kano::kCategories; ++c) out.add(letters[c], std::move(counts[c]));
    out.add("category", std::move(category));
    out.add("better", std::move(better), d3);
    out.add("worse", std::move(worse), d3);
    out.add("category_strength", std::move(cs), d3);
    out.add("total_strength", std::move(ts), d3);
    out.add("fong_significant", std::move(fong));
    out.add("functional_mean", std::move(fm), d3);
    out.add("dysfunctional_mean", std::move(dm), d3);
    out.add("priority", std::move(priority));
    out.add("benefit", std::move(benefit), d3);
    out.add("recommendation", std::move(rec));
    write_output(out, a->out);
  }});
}

CRMKIT_CLI_COMMAND(90, add_kano);

}  // namespace crmkit::cli
