# SPDX-License-Identifier: Apache-2.0
# Shared by the CLI test scripts (sourced): `expect` checks one command's exit code and output,
# counting into pass/fail; `kws_graph DIR` writes the imported MLPerf Tiny keyword-spotting model
# (DIR/kws.khnf, with its FC eff_scale) and one seeded input vector (DIR/x.i8).
pass=0; fail=0
expect() { # name, expected exit, message regex, command...
  local name=$1 want=$2 re=$3; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" -eq "$want" ] && grep -Eq -- "$re" <<<"$out"; then
    echo "PASS $name"; pass=$((pass + 1))
  else
    echo "FAIL $name: expected exit $want and /$re/, got exit $rc: $(head -5 <<<"$out")"; fail=$((fail + 1))
  fi
}
kws_graph() { # DIR
  "$py" - "$1" <<'PY'
import os, sys
import numpy as np
for p in ("sw/python", "tools", "tests/python"):
    sys.path.insert(0, os.path.join(os.getcwd(), p))
import test_graph_forward as tgf
from kirchhoff import graphfile as gf, tflite_import as ti
m = "models/mlperf-tiny/kws_ref_model.tflite"
g = ti.import_model(m)
open(os.path.join(sys.argv[1], "kws.khnf"), "wb").write(
    tgf.with_eff_scale(gf.graph_to_bytes(g), g, tgf.eff_scales(m, g)))
np.random.default_rng(7).integers(-128, 128, size=(1, 490), dtype=np.int8).tofile(
    os.path.join(sys.argv[1], "x.i8"))
PY
}
