// A small, dependency-free SVG chart writer for the analysis report: bar (grouped or stacked),
// heatmap, line, scatter with quadrants and histogram. Each function returns one self-contained
// <svg> element (viewBox-scaled, no scripts, no external references, text XML-escaped) that can be
// inlined into HTML or saved as an .svg file.
//
// Charts validate their input and throw crmkit::InvalidArgument for inconsistent lengths; non-finite
// values are skipped (bars and cells without a value are drawn empty), never written as NaN.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crmkit::analysis::svg {

/// XML escape for text and attribute values: & < > " ' ; control characters other than tab and
/// newline are dropped (they are not allowed in XML 1.0).
std::string escape(std::string_view text);

/// A chart as a standalone .svg document (XML declaration and the SVG namespace added; charts
/// inlined in HTML5 need neither).
std::string standalone(std::string_view chart);

/// Short text of a number for ticks and labels: 1234567 -> "1.23M", 0.25 -> "0.25", 12 -> "12".
std::string short_number(double v);

struct Series {
  std::string name;
  std::vector<double> values;
};

/// Shared axis labelling.
struct Axes {
  std::string title;    ///< shown in <title> for accessibility (the report prints its own headings)
  std::string x_label;
  std::string y_label;
  bool y_percent = false;  ///< values are shares 0..1 shown as percentages
};

/// Bars per category; several series are grouped side by side, or stacked when `stacked`.
struct BarChart {
  Axes axes;
  std::vector<std::string> categories;
  std::vector<Series> series;  ///< each series has one value per category
  bool stacked = false;
};
std::string bar_chart(const BarChart& chart);

/// A grid of cells coloured by value (sequential palette), row 0 at the bottom.
struct Heatmap {
  Axes axes;
  std::vector<std::string> x_ticks;  ///< one per column
  std::vector<std::string> y_ticks;  ///< one per row
  std::vector<double> values;        ///< rows * cols, row-major; NaN = no value
  std::string value_label;           ///< legend caption
  bool annotate = false;             ///< print values in the cells
};
std::string heatmap(const Heatmap& chart);

/// Lines over a shared x; optional vertical marker (e.g. the calibration end).
struct LineChart {
  Axes axes;
  std::vector<double> x;
  std::vector<Series> series;  ///< one value per x
  /// Own x values per series (empty, or one vector per series; an empty vector = the shared x).
  std::vector<std::vector<double>> series_x;
  std::optional<double> marker_x;
  std::string marker_label;
  bool step = false;           ///< draw as a step function (Kaplan-Meier)
  bool diagonal = false;       ///< draw the y = x reference (ROC, gains)
  std::optional<double> y_min, y_max;  ///< fixed y range (default: from the data, from 0)
};
std::string line_chart(const LineChart& chart);

/// Labelled points with optional quadrant lines and a caption per quadrant (top-left, top-right,
/// bottom-left, bottom-right).
struct ScatterChart {
  Axes axes;
  std::vector<double> x, y;
  std::vector<std::string> labels;  ///< empty or one per point
  std::optional<double> x_split, y_split;
  std::array<std::string, 4> quadrant_names{};
  std::optional<double> x_min, x_max, y_min, y_max;
};
std::string scatter_chart(const ScatterChart& chart);

/// Counts of values in equal-width bins between the smallest and largest finite value (or
/// [lo, hi] when given: values outside are counted in the end bins).
struct Histogram {
  Axes axes;
  std::vector<double> values;
  int bins = 30;
  std::optional<double> lo, hi;
};
std::string histogram(const Histogram& chart);

}  // namespace crmkit::analysis::svg
