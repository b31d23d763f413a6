#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Line and toggle coverage of the RTL over the chip-level tests of the registry (make cov).
#   tools/cov.sh BUILD CONFIG...
# Expects the coverage models BUILD/cov/<config>/vl/aimc-vl and aimc-test-vl (make cov builds
# them). Runs every registry test whose command is one of those models ($BUILD/<config>/vl/aimc-vl
# or aimc-test-vl ...) on its coverage build, each model writing its counts into BUILD/cov/dat/
# when it closes; merges them
# with verilator_coverage; writes the lcov HTML report of the line coverage to BUILD/cov/html/
# and the figures to BUILD/reports/cov.json (linked from BUILD/reports/test.json when present).
# Exit 1 if a test fails, 2 on a usage or tool error.
set -uo pipefail
[ $# -ge 2 ] || { echo "usage: tools/cov.sh BUILD CONFIG..." >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
build=$1; shift
case $build in /*) ;; *) build=$PWD/$build ;; esac
py=${PYTHON:-python3}
for t in verilator_coverage genhtml; do
	command -v $t >/dev/null || { echo "cov: '$t' not found (make setup installs verilator and lcov)" >&2; exit 2; }
done
cd "$top"
cov=$build/cov
rm -rf "$cov/dat" "$cov/html" "$cov/reports"
mkdir -p "$cov/dat" "$build/reports"

# The chip-level tests: registry lines whose command runs a config's Verilator model.
reg=$cov/registry.txt
pat=$(printf '%s|' "$@"); pat=${pat%|}
grep -E "^[^#|]+\|[^|]+\| *\\\$BUILD/($pat)/vl/aimc-(test-)?vl " tests/registry.txt >"$reg"
n=$(grep -c . "$reg")
[ "$n" -gt 0 ] || { echo "cov: no registry test runs a model of: $*" >&2; exit 2; }
for c in "$@"; do
	for x in aimc-vl aimc-test-vl; do
		[ -x "$cov/$c/vl/$x" ] || { echo "cov: $cov/$c/vl/$x missing (make cov builds it)" >&2; exit 2; }
	done
done
echo "cov: $n chip-level tests on the coverage models of: $*"
AIMC_COV_DIR=$cov/dat PYTHON=$py "$py" tools/run_tests.py --registry "$reg" --build "$cov" -j 2
rc=$?
[ $rc -eq 0 ] || echo "cov: some tests failed; the coverage below counts the runs that finished" >&2

shopt -s nullglob
dats=("$cov"/dat/*.dat)
[ ${#dats[@]} -gt 0 ] || { echo "cov: no coverage data written (was the model built with coverage?)" >&2; exit 2; }
verilator_coverage --write "$cov/merged.dat" "${dats[@]}" >"$cov/merge.log" 2>&1 ||
	{ cat "$cov/merge.log" >&2; exit 2; }

# Split the merged points by type, write the line-only file for the HTML, sum the figures.
"$py" - "$cov/merged.dat" "$cov/line.dat" "$build/reports/cov.json" "$build/reports/test.json" \
	"$n" "$*" <<'EOF' || exit 2
import json, os, re, sys
merged, line_dat, out, test_json, ntests, cfgs = sys.argv[1:]
hdr, line_lines = [], []
pts = {"line": {}, "toggle": {}}
files = {}
for raw in open(merged, encoding="latin-1"):
    m = re.match(r"C '(.*)' (\d+)\s*$", raw)
    if not m:
        hdr.append(raw)
        continue
    kv = dict(f.split("\x02", 1) for f in m.group(1).split("\x01") if "\x02" in f)
    count = int(m.group(2))
    path = kv.get("f", "")
    rel = os.path.relpath(os.path.abspath(path)) if path else ""
    if not rel.startswith("rtl/"):
        continue
    page = kv.get("page", "")
    kind = "toggle" if page.startswith("v_toggle") else "line" if page.startswith(("v_line", "v_branch")) else None
    if kind is None:
        continue
    if kind == "line":
        line_lines.append(raw)
        key = (rel, kv.get("l"))            # one source line, all instances together
    else:
        key = (rel, kv.get("l"), kv.get("o"))  # one signal bit, all instances together
    pts[kind][key] = pts[kind].get(key, 0) + count
    f = files.setdefault(rel, {"line": {}, "toggle": {}})
    f[kind][key] = f[kind].get(key, 0) + count
with open(line_dat, "w", encoding="latin-1") as fh:
    fh.writelines(hdr + line_lines)

def fig(d):
    hit = sum(1 for v in d.values() if v > 0)
    return {"hit": hit, "total": len(d), "percent": round(100.0 * hit / len(d), 2) if d else None}

rep = {"scope": "rtl/", "tests": int(ntests), "configs": cfgs.split(),
       "line": fig(pts["line"]), "toggle": fig(pts["toggle"]),
       "files": {k: {"line": fig(v["line"])["percent"], "toggle": fig(v["toggle"])["percent"]}
                 for k, v in sorted(files.items())},
       "html": "cov/html/index.html"}
with open(out, "w", encoding="utf-8") as fh:
    json.dump(rep, fh, indent=2)
    fh.write("\n")
if os.path.exists(test_json):
    t = json.load(open(test_json, encoding="utf-8"))
    t["coverage"] = {"report": "cov.json", "line_percent": rep["line"]["percent"],
                     "toggle_percent": rep["toggle"]["percent"]}
    with open(test_json, "w", encoding="utf-8") as fh:
        json.dump(t, fh, indent=2)
        fh.write("\n")
print(f"cov: rtl/ line {rep['line']['percent']}% ({rep['line']['hit']}/{rep['line']['total']}), "
      f"toggle {rep['toggle']['percent']}% ({rep['toggle']['hit']}/{rep['toggle']['total']})")
for k, v in rep["files"].items():
    print(f"  {k:36s} line {v['line'] if v['line'] is not None else '-':>6}%  toggle {v['toggle'] if v['toggle'] is not None else '-':>6}%")
EOF
verilator_coverage --write-info "$cov/line.info" "$cov/line.dat" >>"$cov/merge.log" 2>&1 ||
	{ cat "$cov/merge.log" >&2; exit 2; }
genhtml -q --output-directory "$cov/html" --title "Kirchhoff RTL line coverage" "$cov/line.info" \
	>"$cov/genhtml.log" 2>&1 || { cat "$cov/genhtml.log" >&2; exit 2; }
echo "cov: HTML $cov/html/index.html, figures $build/reports/cov.json"
[ $rc -eq 0 ] || exit 1
exit 0
