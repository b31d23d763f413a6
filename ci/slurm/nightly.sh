#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A regression on a Slurm cluster: build every config once (here, on the shared file system),
# submit N shards as a job array, wait, merge the shards into one run folder.
#   ci/slurm/nightly.sh [REGRESSION [N [BUILD]]]      (defaults: nightly 4 build)
# Prints the merged folder; exit as `tools/regress.py merge` (0 pass, 1 failures, 3 signatures).
# A nightly or full regression then runs the long tests (make test-long, tests/registry-long.txt)
# once, as a job of their own (shards do not run them); a failed one makes the exit 1.
set -euo pipefail
reg=${1:-nightly}; n=${2:-4}; build=${3:-build}
cd "$(dirname "$0")/../.."
py=${PYTHON:-.venv/bin/python}
[ -x "$py" ] || py=python3
mkdir -p "$build/slurm"
# Build only (the list of targets is the regression's own), then the array.
make -s regress-build REGRESSION="$reg" BUILD="$build"
marker=$build/slurm/submit-$$.stamp
touch "$marker"; sleep 1
sbatch --wait --array=0-$((n - 1)) --export=ALL,REGRESSION="$reg",BUILD="$build" \
  --output="$build/slurm/regress-%A_%a.out" ci/slurm/regress.sbatch || true
mapfile -t dirs < <(find "$build/regress" -maxdepth 1 -type d -name "$reg-shard*of$n-*" -newer "$marker" | sort)
rm -f "$marker"
[ "${#dirs[@]}" -eq "$n" ] || { echo "slurm: expected $n shard folders, found ${#dirs[@]}: ${dirs[*]}" >&2; exit 1; }
out=$build/regress/$reg-slurm-merged-$(date +%Y%m%d-%H%M%S)
echo "slurm: merging ${dirs[*]} into $out"
rc=0
"$py" tools/regress.py merge --build "$build" --out "$out" "${dirs[@]}" || rc=$?
case $reg in
nightly | full)
	lrc=0
	srun --export=ALL --output="$build/slurm/test-long-%j.out" make -s test-long BUILD="$build" || lrc=$?
	if [ "$lrc" -ne 0 ]; then
		echo "slurm: the long tests failed (exit $lrc; $build/reports/long/test.json, $build/slurm/test-long-*.out)" >&2
		{ [ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]; } && rc=1
	fi
	;;
esac
exit "$rc"
