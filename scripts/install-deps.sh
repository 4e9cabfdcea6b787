#!/usr/bin/env bash
# Installs crmkit's build, test and benchmark dependencies from Debian 12's packages.
# Idempotent: packages already present are skipped, so a warm machine pays nothing.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config
  libeigen3-dev libboost1.74-dev libboost-math1.74-dev
  libfast-float-dev nlohmann-json3-dev libcli11-dev liblbfgspp-dev zlib1g-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-numpy python3-pandas python3-pytest python3-sklearn
  python3-statsmodels  # survival: Kaplan-Meier and log-rank oracle in tests/python, bench/compare
  clang libclang-rt-14-dev  # the fuzz stage: libFuzzer, ASan and UBSan runtimes (scripts/fuzz.sh)
)
# The headless-browser test of report.html (tests/cli/test_report_browser.py). `--no-browser` leaves
# them out (scripts/demo.sh does: the report itself needs no browser to be written).
if [[ "${1:-}" != "--no-browser" ]]; then
  PKGS+=(chromium chromium-driver python3-selenium)
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  echo "install-deps: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
