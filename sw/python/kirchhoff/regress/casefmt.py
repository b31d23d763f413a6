# SPDX-License-Identifier: Apache-2.0
"""What a regression case is made of, shared by the list checks (kirchhoff.regress.lists), the
signature comparison (kirchhoff.regress.signatures) and the case runner tools/regress_case.py:
the simulators and the flags each flow accepts, the signature value kinds and their encoding
(docs/regression.md), the counter names of a model-run signature."""

from __future__ import annotations

import base64
import hashlib
import os
import zlib
from collections.abc import Sequence

from . import ROOT

SIMS = ("verilator", "cmodel", "icarus", "xcheck")
# Flags tools/layer_test.sh accepts besides --config/--seed/--sim/--build.
LAYER_SH_FLAGS = ("--rows", "--cols", "--batch")
# model-run: its flags, the simulators it runs on, the calibration inputs shared by every seed.
MODEL_FLAGS = ("--model", "--samples")
MODEL_SIMS = ("verilator", "cmodel")
CAL_SEED, CAL_SAMPLES = 0, 8
# Signature value kinds beyond the bus reads (0), responses (1) and player cycles (2).
K_OUT, K_COUNTER, K_READS = 3, 4, 5
# Counters of a run report (docs/reports.md) in signature order: kind-4 address i < 64 is
# COUNTER_GLOBAL[i]; 64 + 16 * t + j is tile t's COUNTER_TILE[j].
COUNTER_GLOBAL = ("setup_cycles", "cycles", "instrs", "mvms", "convs", "adc_convs", "sats",
                  "prog_rows", "reads", "stalls")
COUNTER_TILE = ("busy", "idle", "mvms", "reads", "adc_convs", "sats", "stalls")


class CaseError(Exception):
    pass


def encode(vals: Sequence[tuple[int, int, int]]) -> tuple[str, str]:
    """(hash, compressed values) of a signature value list."""
    text = "".join(f"{k} {a:08x} {d:x}\n" for k, a, d in vals).encode()
    digest = hashlib.sha256(text).hexdigest()[:16]
    blob = base64.b64encode(zlib.compress(text, 9)).decode()
    return digest, blob


def decode(blob: str) -> list[tuple[int, int, int]]:
    """Inverse of encode's second result: the value list."""
    out = []
    for line in zlib.decompress(base64.b64decode(blob)).decode().splitlines():
        k, a, d = line.split()
        out.append((int(k), int(a, 16), int(d, 16)))
    return out


def counter_name(a: int) -> str:
    """Name of a kind-4 signature address (COUNTER_GLOBAL, COUNTER_TILE)."""
    if a < 64:
        return COUNTER_GLOBAL[a] if a < len(COUNTER_GLOBAL) else f"counter #{a}"
    t, j = divmod(a - 64, 16)
    return f"tiles.{t}.{COUNTER_TILE[j]}" if j < len(COUNTER_TILE) else f"tile {t} counter #{j}"


def model_args(args: list[str]) -> dict:
    """{'model': path, 'samples': n} of model-run's arguments; CaseError naming the bad one."""
    if len(args) % 2 or any(f not in MODEL_FLAGS for f in args[0::2]):
        raise CaseError(f"model-run takes only {', '.join(MODEL_FLAGS)} with a value, not "
                        f"'{' '.join(args)}'")
    d = dict(zip(args[0::2], args[1::2], strict=True))
    if "--model" not in d:
        raise CaseError("model-run needs --model M.tflite")
    model = d["--model"] if os.path.isabs(d["--model"]) else os.path.join(ROOT, d["--model"])
    try:
        samples = int(d.get("--samples", "2"))
    except ValueError:
        samples = 0
    if not 1 <= samples <= 64:
        raise CaseError(f"model-run --samples {d.get('--samples')}: must be an integer in [1, 64]")
    return {"model": model, "samples": samples}
