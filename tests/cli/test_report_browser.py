"""report.html in a real browser: `crmkit analyze` on CDNOW, rendered by headless Chromium (Debian's chromium
and chromium-driver, driven with python3-selenium). Asserts that the page loads without console errors or
network requests and that every chart's SVG has drawn marks with non-zero size.

Skipped (with the reason) only when Chromium, its driver or selenium is missing outside CI; in CI (CI=true)
a missing browser is a failure, so the test cannot silently stop running there.
"""
import os
import shutil
import subprocess

import pytest

CLI = os.environ.get("CRMKIT_CLI", "crmkit")
DATA = os.environ.get("CRMKIT_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data"))
MASTER = ["--transactions", os.path.join(DATA, "CDNOW_master.txt"), "--customer-col", "customer_id", "--date-col",
          "date", "--amount-col", "dollar_value"]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _browser():
    """(chromium, chromedriver, webdriver module) or a reason why not."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    try:
        from selenium import webdriver  # noqa: F401
    except ImportError:
        webdriver = None
    missing = [name for name, found in (("chromium", chromium), ("chromium-driver", driver),
                                        ("python3-selenium", webdriver)) if not found]
    if missing:
        reason = "headless browser test needs the Debian packages " + ", ".join(missing) + \
                 " (bash scripts/install-deps.sh installs them)"
        if IN_CI:
            pytest.fail("CI=true but " + reason)
        pytest.skip(reason)
    return chromium, driver, webdriver


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    chromium, driver_path, webdriver = _browser()
    from selenium.webdriver.chrome.service import Service

    out = tmp_path_factory.mktemp("browser") / "report"
    p = subprocess.run([CLI, "analyze", *MASTER, "--calibration-end", "1997-09-30", "--survey",
                        os.path.join(DATA, "kano_survey.csv"), "--interactions",
                        os.path.join(DATA, "service_interactions.csv"), "-o", str(out), "--quiet"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,900",
              "--disable-extensions", "--no-first-run", "--user-data-dir=" + str(out.parent / "profile")):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(driver_path), options=opts)
    try:
        drv.set_page_load_timeout(60)
        drv.get((out / "report.html").as_uri())
        yield drv
    finally:
        drv.quit()


def test_loads_without_console_errors(page):
    assert page.execute_script("return document.readyState") == "complete"
    assert page.title == "Customer analysis"
    errors = [e for e in page.get_log("browser") if e.get("level") in ("SEVERE", "ERROR", "WARNING")]
    assert errors == []


def test_no_scripts_and_no_network(page):
    assert page.execute_script("return document.scripts.length") == 0
    # Nothing was fetched besides the page itself: no fonts, images, stylesheets or scripts.
    assert page.execute_script("return performance.getEntriesByType('resource').length") == 0


def test_every_chart_is_drawn(page):
    charts = page.execute_script("""
        return Array.from(document.querySelectorAll('svg.chart')).map(function (svg) {
          var box = svg.getBoundingClientRect();
          var marks = Array.from(svg.querySelectorAll('rect, path, circle')).filter(function (m) {
            var b = m.getBBox();
            return b.width > 0 || b.height > 0;
          });
          var section = svg.closest('section');
          return {label: svg.getAttribute('aria-label'), width: box.width, height: box.height,
                  marks: marks.length, texts: svg.querySelectorAll('text').length,
                  section: section ? section.id : null};
        });""")
    # segments, 2 heatmaps, holdout bars, tracking, CLV, ROC, gains, lift, Kaplan-Meier, cohort heatmap,
    # Kano scatter, service bars
    assert len(charts) >= 13
    for c in charts:
        assert c["width"] > 100 and c["height"] > 50, c
        assert c["marks"] > 0, c
        assert c["texts"] > 0, c
    sections = {c["section"] for c in charts}
    assert {"segments", "model", "holdout", "clv", "churn", "retention", "kano", "service"} <= sections


def test_new_charts_have_their_marks(page):
    info = page.execute_script("""
        function marks(sel, what) {
          var svg = document.querySelector(sel);
          if (!svg) return -1;
          return Array.from(svg.querySelectorAll(what)).filter(function (m) {
            var b = m.getBBox(); return b.width > 0 || b.height > 0; }).length;
        }
        var quadrants = Array.from(document.querySelectorAll('#kano svg.chart text'))
          .map(function (t) { return t.textContent; });
        var legends = Array.from(document.querySelectorAll('#churn svg.chart text'))
          .map(function (t) { return t.textContent; });
        return {kano_points: marks('#kano svg.chart', 'circle'), service_bars: marks('#service svg.chart', 'rect'),
                quadrants: quadrants, legends: legends,
                readings: document.querySelectorAll('#kano .reading, #service .reading, #churn .reading').length};""")
    assert info["kano_points"] >= 4  # one per feature
    assert info["service_bars"] >= 4 * 3  # 3 channels + all, CSAT / FCR / SLA
    for q in ("Attractive", "One-dimensional", "Indifferent", "Must-be", "password_reset"):
        assert q in info["quadrants"], info["quadrants"]
    assert any(t.startswith("logistic model (AUC 0.") for t in info["legends"]), info["legends"]
    assert info["readings"] >= 2 + 1 + 4


def test_each_section_has_a_reading(page):
    readings = page.execute_script("""
        return Array.from(document.querySelectorAll('section')).filter(function (s) { return s.id != 'notes'; })
          .map(function (s) { var r = s.querySelector('.reading'); return r ? r.textContent : ''; });""")
    assert readings and all(len(r) > 20 for r in readings), readings
    assert any("% of revenue" in r for r in readings)
