# SPDX-License-Identifier: Apache-2.0
"""This checkout's kirchhoff package for the tools: `import _repo` before `from kirchhoff import`.

The tools run as scripts (python3 tools/X.py: sys.path[0] is tools/) on the venv python or on the
system python3 (the regression cases), from the Makefile, the test registry or a rerun command
pasted into a shell. The package is installed editable into the venv (tools/setup.sh) only when
the checkout owns its venv; a git worktree shares another checkout's venv, and that install
points at the other checkout. So every tool takes the package of its own checkout,
ROOT/sw/python, put first on sys.path here and nowhere else. (sw/python/*.py need nothing: their
folder is sys.path[0]; the tests get it from pytest's `pythonpath` in pyproject.toml.)
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SW_PYTHON = os.path.join(ROOT, "sw", "python")
if SW_PYTHON not in sys.path:
    sys.path.insert(0, SW_PYTHON)
