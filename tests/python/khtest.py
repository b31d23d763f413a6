# SPDX-License-Identifier: Apache-2.0
"""Shared pieces of the Python tests: the options (set by conftest.py from the pytest command
line) and Checks, for tests that go through many cases and report every failing one, not only
the first: each check prints PASS/FAIL, and the test ends with `checks.assert_ok()`."""

import os
import types

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OPTS = types.SimpleNamespace(build=os.path.abspath(os.environ.get("BUILD") or os.path.join(ROOT, "build")),
                             seed=1, keep=None, aimc=None, inputs=8, seeds="1:41", n=8,
                             backend="cmodel", models=None, arch=1)


class Checks:
    """Soft checks: `checks(ok, name, detail)` records one; assert_ok() fails naming them all."""

    def __init__(self) -> None:
        self.failed: list[str] = []
        self.count = 0

    def __call__(self, ok: object, name: str, detail: object = "") -> bool:
        self.count += 1
        print(f"{'PASS' if ok else 'FAIL'} {name}" + (f": {detail}" if detail and not ok else ""),
              flush=True)
        if not ok:
            self.failed.append(f"{name}: {detail}" if detail else name)
        return bool(ok)

    def assert_ok(self) -> None:
        assert self.count > 0, "no check ran"
        assert not self.failed, f"{len(self.failed)} of {self.count} checks failed:\n  " + \
            "\n  ".join(self.failed)
