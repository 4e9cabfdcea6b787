// SVG chart writer: escaping, drawn marks, input checks (include/crmkit/analysis/svg.hpp).
#include "crmkit/analysis/svg.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "crmkit/core/error.hpp"

namespace svg = crmkit::analysis::svg;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

// Every chart is one balanced <svg> element without scripts, external references or NaN text.
void expect_clean(const std::string& s) {
  EXPECT_EQ(s.rfind("<svg ", 0), 0u);
  EXPECT_EQ(count(s, "<svg"), 1u);
  EXPECT_EQ(count(s, "</svg>"), 1u);
  EXPECT_THAT(s, Not(HasSubstr("<script")));
  EXPECT_THAT(s, Not(HasSubstr("http")));
  EXPECT_THAT(s, Not(HasSubstr("nan")));
  EXPECT_THAT(s, Not(HasSubstr("inf")));
  EXPECT_EQ(count(s, "<text"), count(s, "</text>"));
  EXPECT_EQ(count(s, "<title>"), count(s, "</title>"));
}

}  // namespace

TEST(Svg, EscapesMarkupAndDropsControlCharacters) {
  EXPECT_EQ(svg::escape("a<b>&\"c\"'d'"), "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;");
  EXPECT_EQ(svg::escape(std::string("x\x01y\tz", 5)), "xy\tz");
  EXPECT_EQ(svg::escape("Können"), "Können");  // UTF-8 passes through
}

TEST(Svg, ShortNumbers) {
  EXPECT_EQ(svg::short_number(0), "0");
  EXPECT_EQ(svg::short_number(12), "12");
  EXPECT_EQ(svg::short_number(0.25), "0.25");
  EXPECT_EQ(svg::short_number(1234567), "1.23M");
  EXPECT_EQ(svg::short_number(25000), "25k");
  EXPECT_EQ(svg::short_number(std::numeric_limits<double>::quiet_NaN()), "-");
}

TEST(Svg, BarChartDrawsOneRectPerFiniteValueAndEscapesLabels) {
  svg::BarChart c;
  c.axes = {"Shares <by> segment", "segment", "share", true};
  c.categories = {"A&B", "C", "D"};
  c.series = {{"customers", {0.5, 0.3, std::numeric_limits<double>::quiet_NaN()}}, {"revenue", {0.7, 0.2, 0.1}}};
  const std::string s = svg::bar_chart(c);
  expect_clean(s);
  EXPECT_EQ(count(s, "<rect"), 5u + 2u);  // 5 finite bars + 2 legend swatches
  EXPECT_THAT(s, HasSubstr("A&amp;B"));
  EXPECT_THAT(s, HasSubstr("Shares &lt;by&gt; segment"));
  EXPECT_THAT(s, HasSubstr("50%"));  // percent ticks
  c.stacked = true;
  expect_clean(svg::bar_chart(c));
  c.series[0].values.pop_back();
  EXPECT_THROW(svg::bar_chart(c), crmkit::InvalidArgument);
}

TEST(Svg, HeatmapCellsAndLegend) {
  svg::Heatmap h;
  h.axes = {"grid", "x", "y", false};
  h.x_ticks = {"0", "1", "2"};
  h.y_ticks = {"0", "1"};
  h.values = {0, 1, 2, 3, std::numeric_limits<double>::quiet_NaN(), 5};
  const std::string s = svg::heatmap(h);
  expect_clean(s);
  EXPECT_EQ(count(s, "<rect"), 5u + 20u);  // 5 finite cells + the 20-step legend ramp
  h.values.pop_back();
  EXPECT_THROW(svg::heatmap(h), crmkit::InvalidArgument);
}

TEST(Svg, LineChartPathsMarkerAndOwnX) {
  svg::LineChart l;
  l.axes = {"tracking", "weeks", "purchases", false};
  l.x = {0, 1, 2, 3};
  l.series = {{"actual", {0, 1, 3, 6}}, {"model", {0, 1.1, 2.9, 6.2}}};
  l.marker_x = 2;
  l.marker_label = "calibration end";
  std::string s = svg::line_chart(l);
  expect_clean(s);
  EXPECT_EQ(count(s, "class=\"series\""), 2u);
  EXPECT_EQ(count(s, "class=\"marker\""), 1u);
  l.series_x = {{}, {0, 2}};
  EXPECT_THROW(svg::line_chart(l), crmkit::InvalidArgument);  // 4 values for 2 x
  l.series[1].values = {0, 1};
  expect_clean(svg::line_chart(l));
  l.step = true;
  l.diagonal = true;
  s = svg::line_chart(l);
  expect_clean(s);
  EXPECT_EQ(count(s, "class=\"reference\""), 1u);
}

TEST(Svg, ScatterWithQuadrants) {
  svg::ScatterChart c;
  c.axes = {"Kano", "Better", "Worse", false};
  c.x = {0.2, 0.8, 0.5};
  c.y = {0.7, 0.3, std::numeric_limits<double>::infinity()};
  c.labels = {"f1", "f<2>", "f3"};
  c.x_split = 0.5;
  c.y_split = 0.5;
  c.quadrant_names = {"Must-be", "One-dimensional", "Indifferent", "Attractive"};
  const std::string s = svg::scatter_chart(c);
  expect_clean(s);
  EXPECT_EQ(count(s, "<circle"), 2u);  // the infinite point is skipped
  EXPECT_THAT(s, HasSubstr("f&lt;2&gt;"));
  EXPECT_EQ(count(s, "class=\"quadrant\""), 4u);
  c.labels.pop_back();
  EXPECT_THROW(svg::scatter_chart(c), crmkit::InvalidArgument);
}

TEST(Svg, HistogramCountsEveryFiniteValue) {
  svg::Histogram h;
  h.axes = {"values", "x", "", false};
  h.values = {1, 2, 2, 3, 100, std::numeric_limits<double>::quiet_NaN()};
  h.bins = 3;
  h.lo = 0;
  h.hi = 3;  // 100 goes to the last bin
  const std::string s = svg::histogram(h);
  expect_clean(s);
  EXPECT_EQ(count(s, "<rect"), 3u);
  EXPECT_THAT(s, HasSubstr("0 to 1: 0</title>"));
  EXPECT_THAT(s, HasSubstr("1 to 2: 1</title>"));
  EXPECT_THAT(s, HasSubstr("2 to 3: 4</title>"));  // 2, 2, 3 and 100 (clamped into the last bin)
  h.bins = 0;
  EXPECT_THROW(svg::histogram(h), crmkit::InvalidArgument);
}

TEST(Svg, StandaloneAddsNamespace) {
  svg::Histogram h;
  h.values = {1, 2};
  const std::string s = svg::standalone(svg::histogram(h));
  EXPECT_EQ(s.rfind("<?xml", 0), 0u);
  EXPECT_THAT(s, HasSubstr("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart"));
  EXPECT_THROW(svg::standalone("<div>"), crmkit::InvalidArgument);
}
