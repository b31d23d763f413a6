# SPDX-License-Identifier: Apache-2.0
"""The options of the Python tests, set by conftest.py from the pytest command line
(`.venv/bin/python -m pytest tests/python/test_x.py --build DIR --seed N ...`)."""

import os
import types

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OPTS = types.SimpleNamespace(build=os.path.abspath(os.environ.get("BUILD") or os.path.join(ROOT, "build")),
                             seed=1, keep=None, aimc=None, inputs=8, seeds="1:41", n=8,
                             backend="cmodel", models=None, arch=1)
