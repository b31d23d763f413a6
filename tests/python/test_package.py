# SPDX-License-Identifier: Apache-2.0
"""The Python package's contract (issue 19, item 6): the public functions of the kirchhoff package
and the tools' entry points carry type hints, no script edits sys.path (tools/_repo.py is the one
place), pyproject.toml pins what tools/requirements.txt pins, and the modules the system python3
runs (the regression case runner) import without numpy.

  .venv/bin/python -m pytest tests/python/test_package.py
"""

import ast
import glob
import os
import subprocess
import sys
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PKG = os.path.join(ROOT, "sw", "python", "kirchhoff")


def rel(p):
    return os.path.relpath(p, ROOT)


def unannotated(fn):
    """Names of fn's parameters without a type hint, plus 'return' when it has none."""
    a = fn.args
    params = a.posonlyargs + a.args + a.kwonlyargs + [x for x in (a.vararg, a.kwarg) if x]
    out = [p.arg for p in params if p.annotation is None and p.arg not in ("self", "cls")]
    return out + (["return"] if fn.returns is None else [])


def public_functions(tree):
    """Module-level public functions and the public methods of public classes."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            yield node.name, node
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for m in node.body:
                if isinstance(m, ast.FunctionDef) and not m.name.startswith("_"):
                    yield f"{node.name}.{m.name}", m


def test_public_functions_of_the_package_have_type_hints():
    files = sorted(glob.glob(os.path.join(PKG, "**", "*.py"), recursive=True))
    assert len(files) >= 20, files
    missing, seen = [], 0
    for p in files:
        with open(p) as f:
            tree = ast.parse(f.read(), p)
        for name, fn in public_functions(tree):
            seen += 1
            bad = unannotated(fn)
            if bad:
                missing.append(f"{rel(p)}:{fn.lineno} {name}: {', '.join(bad)}")
    assert seen > 100, f"only {seen} public functions found"
    assert not missing, "without type hints:\n  " + "\n  ".join(missing)


def test_entry_points_of_the_tools_have_type_hints():
    missing, seen = [], 0
    for p in sorted(glob.glob(os.path.join(ROOT, "tools", "*.py")) +
                    glob.glob(os.path.join(ROOT, "sw", "python", "*.py"))):
        with open(p) as f:
            tree = ast.parse(f.read(), p)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and (node.name == "main" or node.name.startswith("cmd_")):
                seen += 1
                bad = unannotated(node)
                if bad:
                    missing.append(f"{rel(p)}:{node.lineno} {node.name}: {', '.join(bad)}")
    assert seen >= 15, f"only {seen} entry points found"
    assert not missing, "without type hints:\n  " + "\n  ".join(missing)


def sys_path_edits(tree):
    """Line numbers of calls sys.path.insert / append / extend and assignments to sys.path."""
    lines = []
    for n in ast.walk(tree):
        if (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                and n.func.attr in ("insert", "append", "extend")
                and ast.unparse(n.func.value) == "sys.path"):
            lines.append(n.lineno)
        if isinstance(n, ast.Assign) and any(ast.unparse(t) == "sys.path" for t in n.targets):
            lines.append(n.lineno)
    return lines


def test_no_script_edits_sys_path_but_the_tools_helper():
    files = (glob.glob(os.path.join(ROOT, "tools", "*.py")) + glob.glob(os.path.join(ROOT, "sw", "python", "*.py"))
             + glob.glob(os.path.join(PKG, "**", "*.py"), recursive=True)
             + glob.glob(os.path.join(ROOT, "tests", "python", "*.py")))
    assert len(files) > 50
    found = []
    for p in sorted(files):
        if rel(p) == os.path.join("tools", "_repo.py"):
            continue
        with open(p) as f:
            tree = ast.parse(f.read(), p)
        found += [f"{rel(p)}:{ln}" for ln in sys_path_edits(tree)]
    assert not found, "sys.path edited at:\n  " + "\n  ".join(found)
    with open(os.path.join(ROOT, "tools", "_repo.py")) as f:
        assert sys_path_edits(ast.parse(f.read())), "tools/_repo.py no longer puts sw/python on sys.path"


def test_pyproject_pins_what_requirements_txt_pins():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        proj = tomllib.load(f)["project"]
    pins = set(proj["dependencies"])
    for extra in proj.get("optional-dependencies", {}).values():
        pins |= set(extra)
    with open(os.path.join(ROOT, "tools", "requirements.txt")) as f:
        req = {ln.split("#")[0].strip() for ln in f} - {""}
    assert all("==" in p for p in pins), f"unpinned in pyproject.toml: {sorted(p for p in pins if '==' not in p)}"
    assert pins == req, (f"only in pyproject.toml: {sorted(pins - req)}; "
                         f"only in tools/requirements.txt: {sorted(req - pins)}")
    assert proj["requires-python"] == ">=3.11"


def test_regression_modules_import_without_numpy():
    code = ("import sys; import kirchhoff.atomic, kirchhoff.regress.lists, kirchhoff.regress.runner, "
            "kirchhoff.regress.signatures, kirchhoff.regress.reports, kirchhoff.regress.casefmt; "
            "bad = sorted(m for m in ('numpy', 'sklearn', 'matplotlib') if m in sys.modules); "
            "print(bad); sys.exit(1 if bad else 0)")
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "sw", "python"))
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    assert p.returncode == 0, p.stdout + p.stderr
