#!/usr/bin/env bash
# Installs a built tree into a scratch prefix, then builds examples/ against the installed package
# (CMake find_package and pkg-config) and runs every example. Used by ctest (install.examples).
# usage: test-install.sh BUILD_DIR WORK_DIR
set -euo pipefail
build=$(realpath "$1")
work=$2
src=$(cd "$(dirname "$0")/.." && pwd)
python=${CRMKIT_PYTHON:-/usr/bin/python3}
rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null

# C++ and C examples through the CMake package
cmake -S "$src/examples" -B "$work/examples" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/examples" -j2 >/dev/null
data="$src/tests/data/CDNOW_master.txt"
export LD_LIBRARY_PATH="$prefix/lib:${LD_LIBRARY_PATH:-}"
"$work/examples/rfm_segments_cpp" "$data" > "$work/cpp.out"; head -5 "$work/cpp.out"
grep -q "Champions" "$work/cpp.out"
"$work/examples/rfm_segments_c" "$data" > "$work/c.out"; head -5 "$work/c.out"
grep -q "Champions" "$work/c.out"

# the end-to-end analysis from C++ and C: each writes a report
"$work/examples/analyze_cpp" "$data" "$work/analyze_cpp" > "$work/analyze_cpp.out" 2>/dev/null; cat "$work/analyze_cpp.out"
grep -q "23570 customers" "$work/analyze_cpp.out" && test -s "$work/analyze_cpp/report.html"
"$work/examples/analyze_c" "$data" "$work/analyze_c" > "$work/analyze_c.out"; cat "$work/analyze_c.out"
grep -q "23570 customers" "$work/analyze_c.out" && test -s "$work/analyze_c/report.html"

# the C example again through pkg-config
PKG_CONFIG_PATH="$prefix/lib/pkgconfig" cc -std=c11 -o "$work/c_pkgconfig" "$src/examples/rfm_segments.c" \
  $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs crmkit)
"$work/c_pkgconfig" "$data" | grep -q "Champions"

# Python, from the installed package location (finds libcrmkit.so next to it)
PYTHONPATH="$prefix/lib/crmkit/python" "$python" "$src/examples/rfm_segments.py" "$data" > "$work/py.out"; head -5 "$work/py.out"
grep -q "Champions" "$work/py.out"

PYTHONPATH="$prefix/lib/crmkit/python" "$python" "$src/examples/analyze.py" "$data" "$work/analyze_py" > "$work/analyze_py.out"
head -4 "$work/analyze_py.out"; grep -q "23570 customers" "$work/analyze_py.out" && test -s "$work/analyze_py/report.html"

# the CLI walkthrough with the installed binary
PATH="$prefix/bin:$PATH" bash "$src/examples/walkthrough.sh" "$src/tests/data" "$work/walk" > "$work/walk.out"; tail -3 "$work/walk.out"
echo "install.examples: all examples ran against $prefix"
