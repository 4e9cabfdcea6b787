// SVG charts for the analysis report (include/crmkit/analysis/svg.hpp).
#include "crmkit/analysis/svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "crmkit/core/error.hpp"

namespace crmkit::analysis::svg {

namespace {

constexpr double kWidth = 640, kHeight = 320;
constexpr double kLeft = 64, kRight = 20, kTop = 28, kBottom = 62;
constexpr double kPlotW = kWidth - kLeft - kRight, kPlotH = kHeight - kTop - kBottom;

// A qualitative palette readable by most colour-blind readers (Okabe & Ito 2008).
constexpr const char* kPalette[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                    "#56B4E9", "#D55E00", "#F0E442", "#000000"};

const char* colour(std::size_t i) { return kPalette[i % (sizeof kPalette / sizeof kPalette[0])]; }

bool finite(double v) { return std::isfinite(v); }

// Coordinates with one decimal: compact and exact enough for a 640-wide viewBox.
std::string num(double v) {
  if (!finite(v)) v = 0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string s(buf);
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  if (s == "-0") s = "0";
  return s;
}

struct Range {
  double lo = 0, hi = 1;
  double map(double v, double a, double b) const { return a + (v - lo) / (hi - lo) * (b - a); }
};

// Tick positions at 1, 2 or 5 x 10^k covering [lo, hi]; widens the range to whole ticks.
std::vector<double> nice_ticks(Range& r, int target = 5) {
  if (!(r.hi > r.lo)) {
    const double pad = r.lo == 0 ? 1.0 : std::abs(r.lo) * 0.5;
    r.lo -= r.lo == 0 ? 0 : pad;
    r.hi += pad;
  }
  const double raw = (r.hi - r.lo) / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag;
  const double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
  r.lo = std::floor(r.lo / step + 1e-9) * step;
  r.hi = std::ceil(r.hi / step - 1e-9) * step;
  std::vector<double> t;
  for (double v = r.lo; v <= r.hi + step * 1e-6; v += step) t.push_back(std::abs(v) < step * 1e-9 ? 0 : v);
  return t;
}

std::string tick_text(double v, bool percent) {
  if (percent) {
    char buf[32];
    const double p = v * 100;
    std::snprintf(buf, sizeof buf, std::abs(p - std::round(p)) < 1e-9 ? "%.0f%%" : "%.1f%%", p);
    return buf;
  }
  return short_number(v);
}

struct Doc {
  std::string s;
  explicit Doc(const Axes& a, const char* kind) {
    s.reserve(4096);
    s += "<svg class=\"chart chart-";
    s += kind;
    s += "\" viewBox=\"0 0 " + num(kWidth) + " " + num(kHeight) + "\" role=\"img\" aria-label=\"" +
         escape(a.title) + "\"><title>" + escape(a.title) + "</title>";
  }
  void text(double x, double y, std::string_view t, const char* anchor = "middle", const char* cls = nullptr,
            double rotate = 0) {
    s += "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor + "\"";
    if (cls) s += std::string(" class=\"") + cls + "\"";
    if (rotate != 0) s += " transform=\"rotate(" + num(rotate) + " " + num(x) + " " + num(y) + ")\"";
    s += ">" + escape(t) + "</text>";
  }
  void rect(double x, double y, double w, double h, std::string_view fill, std::string_view tip = {}) {
    s += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(std::max(w, 0.0)) + "\" height=\"" +
         num(std::max(h, 0.0)) + "\" fill=\"" + std::string(fill) + "\"";
    if (tip.empty()) {
      s += "/>";
    } else {
      s += "><title>" + escape(tip) + "</title></rect>";
    }
  }
  void line(double x1, double y1, double x2, double y2, const char* cls) {
    s += "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) +
         "\" class=\"" + cls + "\"/>";
  }
  void y_axis(Range& r, bool percent, const std::string& label) {
    for (double t : nice_ticks(r)) {
      const double y = r.map(t, kTop + kPlotH, kTop);
      line(kLeft, y, kLeft + kPlotW, y, "grid");
      text(kLeft - 6, y + 4, tick_text(t, percent), "end", "tick");
    }
    if (!label.empty()) text(14, kTop + kPlotH / 2, label, "middle", "axis-label", -90);
  }
  void x_axis_numeric(Range& r, bool percent, const std::string& label) {
    for (double t : nice_ticks(r)) {
      const double x = r.map(t, kLeft, kLeft + kPlotW);
      line(x, kTop + kPlotH, x, kTop + kPlotH + 4, "axis");
      text(x, kTop + kPlotH + 16, tick_text(t, percent), "middle", "tick");
    }
    x_label(label);
  }
  void x_label(const std::string& label) {
    line(kLeft, kTop + kPlotH, kLeft + kPlotW, kTop + kPlotH, "axis");
    if (!label.empty()) text(kLeft + kPlotW / 2, kHeight - 8, label, "middle", "axis-label");
  }
  void legend(const std::vector<Series>& series, bool force = false) {
    if (series.size() < 2 && !force) return;
    double x = kLeft;
    for (std::size_t i = 0; i < series.size(); ++i) {
      rect(x, 8, 10, 10, colour(i));
      text(x + 14, 17, series[i].name, "start", "legend");
      x += 24 + 6.5 * static_cast<double>(series[i].name.size());
    }
  }
  std::string done() {
    s += "</svg>";
    return std::move(s);
  }
};

Range data_range(const std::vector<Series>& series, bool from_zero) {
  double lo = from_zero ? 0 : std::numeric_limits<double>::infinity();
  double hi = from_zero ? 0 : -std::numeric_limits<double>::infinity();
  for (const auto& s : series)
    for (double v : s.values)
      if (finite(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
  if (!finite(lo)) lo = 0;
  if (!finite(hi)) hi = 1;
  return {lo, hi};
}

void check_series(const std::vector<Series>& series, std::size_t n, const char* function) {
  for (const auto& s : series)
    if (s.values.size() != n)
      throw InvalidArgument(function, "series '" + s.name + "'", "length " + std::to_string(s.values.size()),
                            "must have one value per category/point (" + std::to_string(n) + ")");
}

// Sequential palette (light yellow -> green -> dark blue), t in [0, 1].
std::string sequential(double t) {
  static constexpr double stops[][3] = {{255, 255, 217}, {199, 233, 180}, {65, 182, 196}, {34, 94, 168}, {8, 29, 88}};
  t = std::clamp(t, 0.0, 1.0) * 4;
  const int i = std::min(3, static_cast<int>(t));
  const double f = t - i;
  char buf[16];
  int c[3];
  for (int k = 0; k < 3; ++k) c[k] = static_cast<int>(std::lround(stops[i][k] + f * (stops[i + 1][k] - stops[i][k])));
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c[0], c[1], c[2]);
  return buf;
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') break;
        out += c;
    }
  }
  return out;
}

std::string standalone(std::string_view chart) {
  constexpr std::string_view open = "<svg ";
  if (chart.substr(0, open.size()) != open)
    throw InvalidArgument("svg::standalone", "chart", std::string(chart.substr(0, 16)), "must start with '<svg '");
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" " +
         std::string(chart.substr(open.size())) + "\n";
}

std::string short_number(double v) {
  if (!finite(v)) return "-";
  const double a = std::abs(v);
  char buf[48];
  if (a >= 1e9) {
    std::snprintf(buf, sizeof buf, "%.3gB", v / 1e9);
  } else if (a >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.3gM", v / 1e6);
  } else if (a >= 1e4) {
    std::snprintf(buf, sizeof buf, "%.3gk", v / 1e3);
  } else if (a >= 1 || a == 0) {
    std::snprintf(buf, sizeof buf, "%.4g", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.2g", v);
  }
  return buf;
}

std::string bar_chart(const BarChart& c) {
  const std::size_t n = c.categories.size();
  check_series(c.series, n, "svg::bar_chart");
  Doc d(c.axes, "bar");
  Range r;
  if (c.stacked) {
    std::vector<Series> totals(1);
    totals[0].values.assign(n, 0.0);
    for (const auto& s : c.series)
      for (std::size_t i = 0; i < n; ++i)
        if (finite(s.values[i]) && s.values[i] > 0) totals[0].values[i] += s.values[i];
    r = data_range(totals, true);
  } else {
    r = data_range(c.series, true);
  }
  d.y_axis(r, c.axes.y_percent, c.axes.y_label);
  d.legend(c.series);
  const double slot = n ? kPlotW / static_cast<double>(n) : kPlotW;
  const double group = slot * 0.8;
  const std::size_t k = std::max<std::size_t>(1, c.stacked ? 1 : c.series.size());
  const double bar = group / static_cast<double>(k);
  const double y0 = r.map(0, kTop + kPlotH, kTop);
  for (std::size_t i = 0; i < n; ++i) {
    const double gx = kLeft + slot * static_cast<double>(i) + slot * 0.1;
    double base = 0;
    for (std::size_t s = 0; s < c.series.size(); ++s) {
      const double v = c.series[s].values[i];
      if (!finite(v)) continue;
      const std::string tip = c.categories[i] + (c.series.size() > 1 ? " / " + c.series[s].name : "") + ": " +
                              tick_text(v, c.axes.y_percent);
      if (c.stacked) {
        if (v <= 0) continue;
        const double top = r.map(base + v, kTop + kPlotH, kTop), bottom = r.map(base, kTop + kPlotH, kTop);
        d.rect(gx, top, group, bottom - top, colour(s), tip);
        base += v;
      } else {
        const double y = r.map(v, kTop + kPlotH, kTop);
        d.rect(gx + bar * static_cast<double>(s), std::min(y, y0), bar * 0.92, std::abs(y0 - y), colour(s), tip);
      }
    }
    // Category labels: rotated when many or long.
    const bool rotate = n > 6 || static_cast<double>(c.categories[i].size()) * 6.0 > slot;
    if (rotate) {
      d.text(gx + group / 2 + 4, kTop + kPlotH + 12, c.categories[i], "end", "tick", -20);
    } else {
      d.text(gx + group / 2, kTop + kPlotH + 16, c.categories[i], "middle", "tick");
    }
  }
  d.line(kLeft, y0, kLeft + kPlotW, y0, "axis");
  if (!c.axes.x_label.empty() && n <= 6) d.text(kLeft + kPlotW / 2, kHeight - 8, c.axes.x_label, "middle", "axis-label");
  return d.done();
}

std::string heatmap(const Heatmap& c) {
  const std::size_t cols = c.x_ticks.size(), rows = c.y_ticks.size();
  if (c.values.size() != rows * cols)
    throw InvalidArgument("svg::heatmap", "values", "length " + std::to_string(c.values.size()),
                          "must be rows * cols = " + std::to_string(rows * cols));
  Doc d(c.axes, "heatmap");
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double v : c.values)
    if (finite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  if (!finite(lo)) lo = hi = 0;
  const double legend_w = 56;
  const double w = (kPlotW - legend_w) / static_cast<double>(std::max<std::size_t>(cols, 1));
  const double h = kPlotH / static_cast<double>(std::max<std::size_t>(rows, 1));
  const std::size_t x_every = std::max<std::size_t>(1, cols / 12), y_every = std::max<std::size_t>(1, rows / 10);
  for (std::size_t r = 0; r < rows; ++r) {
    const double y = kTop + kPlotH - h * static_cast<double>(r + 1);
    for (std::size_t col = 0; col < cols; ++col) {
      const double v = c.values[r * cols + col];
      if (!finite(v)) continue;
      const double t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
      const double x = kLeft + w * static_cast<double>(col);
      d.rect(x, y, w + 0.3, h + 0.3, sequential(t),
             c.axes.x_label + " " + c.x_ticks[col] + ", " + c.axes.y_label + " " + c.y_ticks[r] + ": " +
                 tick_text(v, c.axes.y_percent));
      if (c.annotate && w > 28 && h > 12)
        d.text(x + w / 2, y + h / 2 + 4, tick_text(v, c.axes.y_percent), "middle", t > 0.55 ? "cell dark" : "cell");
    }
    if (r % y_every == 0) d.text(kLeft - 6, y + h / 2 + 4, c.y_ticks[r], "end", "tick");
  }
  for (std::size_t col = 0; col < cols; col += x_every)
    d.text(kLeft + w * (static_cast<double>(col) + 0.5), kTop + kPlotH + 16, c.x_ticks[col], "middle", "tick");
  if (!c.axes.x_label.empty()) d.text(kLeft + (kPlotW - legend_w) / 2, kHeight - 8, c.axes.x_label, "middle", "axis-label");
  if (!c.axes.y_label.empty()) d.text(14, kTop + kPlotH / 2, c.axes.y_label, "middle", "axis-label", -90);
  // Colour legend: a vertical ramp with the extreme values.
  const double lx = kLeft + kPlotW - legend_w + 16;
  constexpr int steps = 20;
  for (int i = 0; i < steps; ++i) {
    const double t = (i + 0.5) / steps;
    d.rect(lx, kTop + kPlotH * (1 - static_cast<double>(i + 1) / steps), 12, kPlotH / steps + 0.3, sequential(t));
  }
  if (std::abs(lo) < 1e-6 * std::max(1.0, std::abs(hi))) lo = 0;
  d.text(lx + 16, kTop + 8, tick_text(hi, c.axes.y_percent), "start", "tick");
  d.text(lx + 16, kTop + kPlotH, tick_text(lo, c.axes.y_percent), "start", "tick");
  if (!c.value_label.empty()) d.text(lx + 6, kTop - 8, c.value_label, "middle", "legend");
  return d.done();
}

std::string line_chart(const LineChart& c) {
  if (!c.series_x.empty() && c.series_x.size() != c.series.size())
    throw InvalidArgument("svg::line_chart", "series_x", "size " + std::to_string(c.series_x.size()),
                          "must be empty or one per series (" + std::to_string(c.series.size()) + ")");
  auto xs = [&](std::size_t s) -> const std::vector<double>& {
    return c.series_x.empty() || c.series_x[s].empty() ? c.x : c.series_x[s];
  };
  for (std::size_t s = 0; s < c.series.size(); ++s)
    if (c.series[s].values.size() != xs(s).size())
      throw InvalidArgument("svg::line_chart", "series '" + c.series[s].name + "'",
                            "length " + std::to_string(c.series[s].values.size()),
                            "must have one value per x (" + std::to_string(xs(s).size()) + ")");
  Doc d(c.axes, "line");
  Range xr{0, 1};
  {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (std::size_t s = 0; s <= c.series.size(); ++s)
      for (double v : s < c.series.size() ? xs(s) : c.x)
        if (finite(v)) {
          lo = std::min(lo, v);
          hi = std::max(hi, v);
        }
    if (finite(lo)) xr = {lo, hi};
  }
  Range yr = data_range(c.series, true);
  if (c.y_min) yr.lo = *c.y_min;
  if (c.y_max) yr.hi = *c.y_max;
  if (c.diagonal) {
    yr = {0, 1};
    xr = {0, 1};
  }
  d.y_axis(yr, c.axes.y_percent, c.axes.y_label);
  d.x_axis_numeric(xr, c.diagonal && c.axes.y_percent, c.axes.x_label);
  d.legend(c.series);
  auto px = [&](double v) { return xr.map(v, kLeft, kLeft + kPlotW); };
  auto py = [&](double v) { return yr.map(v, kTop + kPlotH, kTop); };
  if (c.diagonal) d.s += "<path class=\"reference\" d=\"M" + num(px(0)) + " " + num(py(0)) + "L" + num(px(1)) + " " + num(py(1)) + "\"/>";
  if (c.marker_x && finite(*c.marker_x)) {
    const double x = px(*c.marker_x);
    d.line(x, kTop, x, kTop + kPlotH, "marker");
    if (!c.marker_label.empty()) d.text(x + 4, kTop + 12, c.marker_label, "start", "legend");
  }
  for (std::size_t s = 0; s < c.series.size(); ++s) {
    std::string path;
    bool pen = false;
    double last_y = 0;
    const std::vector<double>& x = xs(s);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double v = c.series[s].values[i];
      if (!finite(v) || !finite(x[i])) {
        pen = false;
        continue;
      }
      // Appended piecewise: GCC 12 warns falsely (-Wrestrict, PR 105329) on "L" + std::string in Release.
      auto point = [&path](char command, double px_, double py_) {
        path += command;
        path += num(px_);
        path += ' ';
        path += num(py_);
      };
      if (!pen) {
        point('M', px(x[i]), py(v));
      } else if (c.step) {
        point('L', px(x[i]), py(last_y));
        point('L', px(x[i]), py(v));
      } else {
        point('L', px(x[i]), py(v));
      }
      pen = true;
      last_y = v;
    }
    if (path.empty()) continue;
    d.s += "<path class=\"series\" fill=\"none\" stroke=\"" + std::string(colour(s)) + "\" d=\"" + path +
           "\"><title>" + escape(c.series[s].name) + "</title></path>";
  }
  return d.done();
}

std::string scatter_chart(const ScatterChart& c) {
  const std::size_t n = c.x.size();
  if (c.y.size() != n || (!c.labels.empty() && c.labels.size() != n))
    throw InvalidArgument("svg::scatter_chart", "y/labels", "lengths " + std::to_string(c.y.size()) + "/" +
                          std::to_string(c.labels.size()), "must match x (" + std::to_string(n) + ")");
  Doc d(c.axes, "scatter");
  Range xr = data_range({Series{"", c.x}}, false), yr = data_range({Series{"", c.y}}, false);
  if (c.x_min) xr.lo = *c.x_min;
  if (c.x_max) xr.hi = *c.x_max;
  if (c.y_min) yr.lo = *c.y_min;
  if (c.y_max) yr.hi = *c.y_max;
  d.y_axis(yr, c.axes.y_percent, c.axes.y_label);
  d.x_axis_numeric(xr, false, c.axes.x_label);
  auto px = [&](double v) { return xr.map(v, kLeft, kLeft + kPlotW); };
  auto py = [&](double v) { return yr.map(v, kTop + kPlotH, kTop); };
  if (c.x_split) d.line(px(*c.x_split), kTop, px(*c.x_split), kTop + kPlotH, "marker");
  if (c.y_split) d.line(kLeft, py(*c.y_split), kLeft + kPlotW, py(*c.y_split), "marker");
  if (c.x_split && c.y_split) {
    const double xs = px(*c.x_split), ys = py(*c.y_split);
    d.text((kLeft + xs) / 2, kTop + 12, c.quadrant_names[0], "middle", "quadrant");
    d.text((xs + kLeft + kPlotW) / 2, kTop + 12, c.quadrant_names[1], "middle", "quadrant");
    d.text((kLeft + xs) / 2, std::min(kTop + kPlotH - 6, ys + 16), c.quadrant_names[2], "middle", "quadrant");
    d.text((xs + kLeft + kPlotW) / 2, std::min(kTop + kPlotH - 6, ys + 16), c.quadrant_names[3], "middle", "quadrant");
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!finite(c.x[i]) || !finite(c.y[i])) continue;
    const std::string label = c.labels.empty() ? std::string() : c.labels[i];
    d.s += "<circle cx=\"" + num(px(c.x[i])) + "\" cy=\"" + num(py(c.y[i])) + "\" r=\"5\" fill=\"" +
           std::string(colour(0)) + "\"><title>" + escape(label + (label.empty() ? "" : ": ") + "(" +
           short_number(c.x[i]) + ", " + short_number(c.y[i]) + ")") + "</title></circle>";
    if (!label.empty()) d.text(px(c.x[i]) + 7, py(c.y[i]) - 5, label, "start", "point-label");
  }
  return d.done();
}

std::string histogram(const Histogram& c) {
  if (c.bins < 1 || c.bins > 1000)
    throw InvalidArgument("svg::histogram", "bins", std::to_string(c.bins), "must be in 1..1000");
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double v : c.values)
    if (finite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  if (c.lo) lo = *c.lo;
  if (c.hi) hi = *c.hi;
  if (!finite(lo) || !finite(hi)) lo = 0, hi = 1;
  if (!(hi > lo)) hi = lo + 1;
  const auto bins = static_cast<std::size_t>(c.bins);
  std::vector<double> counts(bins, 0.0);
  const double width = (hi - lo) / static_cast<double>(bins);
  for (double v : c.values) {
    if (!finite(v)) continue;
    const double k = std::floor((v - lo) / width);
    const std::size_t i = k < 0 ? 0 : std::min(bins - 1, static_cast<std::size_t>(k));
    counts[i] += 1;
  }
  Doc d(c.axes, "histogram");
  Range yr = data_range({Series{"", counts}}, true);
  Range xr{lo, hi};
  d.y_axis(yr, false, c.axes.y_label.empty() ? std::string("customers") : c.axes.y_label);
  const Range xr_ticks_range = xr;
  Range shown = xr_ticks_range;
  d.x_axis_numeric(shown, false, c.axes.x_label);
  auto px = [&](double v) { return shown.map(v, kLeft, kLeft + kPlotW); };
  for (std::size_t i = 0; i < bins; ++i) {
    const double a = lo + width * static_cast<double>(i), b = a + width;
    const double top = yr.map(counts[i], kTop + kPlotH, kTop);
    d.rect(px(a) + 0.5, top, px(b) - px(a) - 1, kTop + kPlotH - top, colour(0),
           short_number(a) + " to " + short_number(b) + ": " + short_number(counts[i]));
  }
  return d.done();
}

}  // namespace crmkit::analysis::svg
