// Kano surveys (kano::parse_survey, behind read_survey, the C ABI, Python and `crmkit kano`) with
// answer word maps (AnswerMap::parse, `--words`), evaluation tables (EvaluationTable::parse,
// `--table`) and per-feature cost/frequency files (parse_feature_inputs, `--costs`), then analyze()
// and the JSON the CLI prints.
//
// Input: byte 0 chooses the options — bit 0 invalid answers fail (else skipped), bit 1 exclude
// straight-liners, bit 2 exclude questionable respondents, bit 3 use the survey's own cost/frequency
// columns; the rest is up to four texts separated by NUL bytes: the survey CSV, a word map
// "word=code,...", an evaluation table (5 rows of 5 letters) and a cost/frequency CSV. A missing or
// empty part means the default.
// Checks: only crmkit errors; per feature, the category counts sum to n, shares sum to 1 when n > 0,
// and the categories are valid; the JSON serialises (a name that is not UTF-8 made it throw: the table
// reader refuses such text now, regressions/kano/).
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crmkit/kano/kano.hpp"
#include "fuzz_common.hpp"

using namespace crmkit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t b0 = data[0];
  std::vector<std::string_view> parts;
  {
    std::string_view rest = fuzz::as_text(data + 1, size - 1);
    while (parts.size() < 3) {
      const auto z = rest.find('\0');
      if (z == std::string_view::npos) break;
      parts.push_back(rest.substr(0, z));
      rest.remove_prefix(z + 1);
    }
    parts.push_back(rest);
  }
  parts.resize(4);

  kano::AnswerMap words;
  if (!parts[1].empty() && !fuzz::expect_ok_or_error("AnswerMap::parse", [&] { words = kano::AnswerMap::parse(parts[1]); }))
    return 0;
  for (const auto& [w, code] : words.words()) fuzz::require(code >= 1 && code <= 5, "word map code outside 1..5");

  kano::KanoOptions o;
  if (!parts[2].empty() &&
      !fuzz::expect_ok_or_error("EvaluationTable::parse", [&] { o.table = kano::EvaluationTable::parse(parts[2], "table.csv"); }))
    return 0;
  for (const auto& row : o.table.cell)
    for (auto c : row) fuzz::require(static_cast<std::size_t>(c) < kano::kCategories, "evaluation table: bad category");
  o.invalid = (b0 & 1) ? kano::InvalidPolicy::Fail : kano::InvalidPolicy::Skip;
  o.exclude_straightliners = (b0 >> 1) & 1;
  o.exclude_questionable = (b0 >> 2) & 1;

  kano::SurveyTable s;
  if (!fuzz::expect_ok_or_error("parse_survey", [&] { s = kano::parse_survey(parts[0], words, "survey.csv"); })) return 0;

  kano::FeatureInputTable costs;
  kano::FeatureInputs inputs;
  if ((b0 >> 3) & 1) {
    inputs = s.inputs();
  } else if (!parts[3].empty()) {
    if (!fuzz::expect_ok_or_error("parse_feature_inputs",
                                  [&] { costs = kano::parse_feature_inputs(parts[3], s.feature_names(), "costs.csv"); }))
      return 0;
    inputs = costs.inputs();
  }

  fuzz::expect_ok_or_error("analyze", [&] {
    const kano::KanoResult r = kano::analyze(s.view(), o, inputs);
    fuzz::require(r.features.size() == s.feature_names().size(), "one result per feature");
    for (const auto& f : r.features) {
      std::int64_t sum = 0;
      for (auto c : f.counts) sum += c;
      fuzz::require(sum == f.n, "counts do not sum to n for '" + f.feature + "'");
      fuzz::require(static_cast<std::size_t>(f.category) < kano::kCategories, "bad category");
      if (f.n > 0) {
        double total = 0;
        for (double x : f.shares) total += x;
        fuzz::require(std::abs(total - 1) < 1e-9, "shares do not sum to 1");
      }
    }
    fuzz::require(r.quality.used_rows <= r.quality.rows, "used rows > rows");
    // A name that is not UTF-8 made this dump throw nlohmann's type_error 316 (regressions/kano/); the
    // table reader now refuses such text at its cell (issue 13 #14).
    (void)kano::to_json(r).dump();
  });
  return 0;
}
