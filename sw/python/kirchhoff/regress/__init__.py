# SPDX-License-Identifier: Apache-2.0
"""The nightly regression (docs/regression.md), by concern:

  casefmt     what a case is made of: simulators, flags, signature values and their encoding
              (shared with the case runner tools/regress_case.py)
  lists       tests/regressions/regressions.toml: validation, expansion, filter, shards, commands
  runner      running cases: process pool, timeouts, journal and resume, builds, coverage, bench
  signatures  the signature file: load, compare (first difference named), update
  reports     regress.json, junit.xml, failures.txt, summary.html

The command line is tools/regress.py. Standard library only: the cases run on the system python3.
"""

import os

# The checkout: the lists, the signature files and the run folders are found from here.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))))
LISTS = "tests/regressions/regressions.toml"
SIG_DIR = "tests/regressions/signatures"
EXIT_PASS, EXIT_FAIL, EXIT_USAGE, EXIT_SIGCHANGE = 0, 1, 2, 3


class ListError(Exception):
    """Bad input (list file, regression name, filter, shard, run folder): exit 2."""


def rel(p: str) -> str:
    """p relative to the checkout when it is inside it, else p."""
    r = os.path.relpath(p, ROOT)
    return p if r.startswith("..") else r
