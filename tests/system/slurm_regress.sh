#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Slurm path for real (docs/regression.md): installs Debian's slurm-wlm and munge if missing
# (root), starts munged and a single-node cluster on this machine (docs/regression.md "Scale-out"),
# runs a local smoke regression, submits the same regression as a 4-task job array
# (ci/slurm/nightly.sh), merges the shards and requires the merged totals and every case's
# status and signature to equal the local run's. Stops the daemons it started, by PID.
#   tests/system/slurm_regress.sh [BUILD]          (make regress-slurm-test)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=$(realpath -m "${1:-build}")
reg=${REGRESSION:-smoke}
py=${PYTHON:-.venv/bin/python}
[ -x "$py" ] || py=python3
d=$build/slurm/cluster
pkgs="slurm-wlm munge"

missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "slurm_regress: missing Debian packages:$missing; run: sudo apt-get install -y$missing" >&2; exit 2
  fi
  echo "slurm_regress: installing$missing"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
[ "$(id -u)" -eq 0 ] || { echo "slurm_regress: starting slurmd needs root" >&2; exit 2; }

pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  done
  [ ${#pids[@]} -eq 0 ] || echo "slurm_regress: stopped daemons ${pids[*]}"
}
trap cleanup EXIT

rm -rf "$d"; mkdir -p "$d/state" "$d/spool" "$d/munge"
host=$(hostname -s)
# munge: a private key, socket and pid file, so nothing of the system's munge is touched.
dd if=/dev/urandom of="$d/munge/munge.key" bs=1024 count=1 status=none
chmod 600 "$d/munge/munge.key"
sock=$d/munge/munge.socket
munged --force --key-file="$d/munge/munge.key" --socket="$sock" --pid-file="$d/munge/munged.pid" \
  --log-file="$d/munge/munged.log" --seed-file="$d/munge/munged.seed"
for _ in $(seq 50); do [ -s "$d/munge/munged.pid" ] && break; sleep 0.1; done
pids+=("$(cat "$d/munge/munged.pid")")
cat > "$d/slurm.conf" <<CONF
ClusterName=kirchhoff
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$sock
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MailProg=/bin/true
ReturnToService=2
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$d/slurm.conf
slurmctld -f "$SLURM_CONF"
for _ in $(seq 50); do [ -s "$d/slurmctld.pid" ] && break; sleep 0.1; done
pids+=("$(cat "$d/slurmctld.pid")")
slurmd -f "$SLURM_CONF"
for _ in $(seq 50); do [ -s "$d/slurmd.pid" ] && break; sleep 0.1; done
pids+=("$(cat "$d/slurmd.pid")")
for _ in $(seq 100); do sinfo -h -o %T 2>/dev/null | grep -qx idle && break; sleep 0.2; done
sinfo -h -o %T | grep -qx idle || { echo "slurm_regress: node not idle"; sinfo; tail "$d"/*.log; exit 1; }
echo "slurm_regress: single-node cluster up on $host ($(sinfo -V))"

echo "slurm_regress: local reference run of '$reg'"
make -s regress REGRESSION="$reg" BUILD="$build" J=2 > "$build/slurm/local.log" 2>&1 || {
  tail -20 "$build/slurm/local.log"; echo "slurm_regress: FAIL (local run)"; exit 1; }
tail -1 "$build/slurm/local.log"
local_dir=$(realpath "$build/regress/latest-$reg")

echo "slurm_regress: 4-task job array"
out=$(PYTHON=$py ci/slurm/nightly.sh "$reg" 4 "$build") || { echo "$out"; echo "slurm_regress: FAIL (array or merge)"; exit 1; }
echo "$out" | tail -3
merged=$(echo "$out" | sed -n 's/^slurm: merging .* into //p')
"$py" - "$local_dir/regress.json" "$merged/regress.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
ca = {c["name"]: (c["status"], c["sig"]) for c in a["cases"]}
cb = {c["name"]: (c["status"], c["sig"]) for c in b["cases"]}
diff = [n for n in sorted(set(ca) | set(cb)) if ca.get(n) != cb.get(n)]
print(f"slurm_regress: local {a['summary']}, slurm merged {b['summary']}, "
      f"{len(ca)} cases compared by status and signature, {len(diff)} differ")
if a["summary"] != b["summary"] or diff:
    print("slurm_regress: FAIL: first differing case:", diff[:1]); sys.exit(1)
print("slurm_regress: PASS (merged shard totals == local run)")
PY
