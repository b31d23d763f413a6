# SPDX-License-Identifier: Apache-2.0
"""Files written whole or not at all (issue 16, "nothing lost"): the one helper every Python tool
of the project writes its outputs through (tools/*.py, sw/python).

A file is written to a temporary `.<name>.tmp.XXXXXX` in the destination's folder, flushed,
fsync'ed and renamed over the destination (then the folder is fsync'ed), so a full disk, a
killed process or an exception leaves the previous file as it was and no temporary behind. An
output that is the same file as an input (the same path, or the same st_dev / st_ino: a hard
link, a symlink) or as another output is refused with SameFileError before anything is opened
for writing. Devices and FIFOs (/dev/null) are written directly: they cannot be replaced.

  write_bytes(path, data, inputs=())     write_text(path, text, inputs=())
  write_json(path, obj, inputs=())       with open_atomic(path, "wb", inputs) as f: ...
  write_many({path: bytes, ...}, inputs)  every file or none replaced (reports that go together)
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator

__all__ = ["SameFileError", "same_file", "check_outputs", "open_atomic", "write_bytes",
           "write_text", "write_json", "write_many"]


class SameFileError(ValueError):
    """An output that is the same file as an input or as another output."""


def _umask() -> int:
    m = os.umask(0)
    os.umask(m)
    return m


_FILE_MODE = 0o666 & ~_umask()


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """True if a and b name one file: the same absolute path, or the same device and inode."""
    if os.path.abspath(a) == os.path.abspath(b):
        return True
    try:
        sa, sb = os.stat(a), os.stat(b)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def _paths(p) -> list:
    if p is None:
        return []
    if isinstance(p, (str, bytes, os.PathLike)):
        return [p]
    return [x for x in p if x is not None]


def check_outputs(outputs: Iterable[str], inputs: Iterable[str] = ()) -> None:
    """Raise SameFileError if an output is the same file as an input or as another output."""
    outs, ins = _paths(outputs), _paths(inputs)
    for i, o in enumerate(outs):
        for src in ins:
            if same_file(o, src):
                raise SameFileError(f"output '{os.fspath(o)}' is the same file as the input "
                                    f"'{os.fspath(src)}': refusing to overwrite it")
        for o2 in outs[i + 1:]:
            if same_file(o, o2):
                raise SameFileError(f"output '{os.fspath(o)}' is given twice "
                                    f"('{os.fspath(o2)}'): each output must be its own file")


def _is_special(path) -> bool:
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _fsync_dir(d: str) -> None:
    try:
        fd = os.open(d, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _temp_for(path) -> tuple:
    path = os.fspath(path)
    d = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise IsADirectoryError(f"'{path}' is a directory, not a file")
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".tmp.", dir=d)
    try:
        os.fchmod(fd, _FILE_MODE)
    except OSError:
        pass
    return fd, tmp, d


def _unlink(p) -> None:
    try:
        os.unlink(p)
    except OSError:
        pass


@contextlib.contextmanager
def open_atomic(path: str, mode: str = "w", inputs: Iterable[str] = (), encoding: str | None = None,
                newline: str | None = None) -> Iterator:
    """A file object on a temporary beside path; renamed over path when the block ends without
    an exception (after flush + fsync), removed otherwise. mode is "w" or "wb"."""
    if mode not in ("w", "wb"):
        raise ValueError(f"open_atomic: mode {mode!r}, want 'w' or 'wb'")
    check_outputs([path], inputs)
    if _is_special(path):
        kw = {} if mode == "wb" else {"encoding": encoding or "utf-8", "newline": newline}
        with open(path, mode, **kw) as f:
            yield f
        return
    fd, tmp, d = _temp_for(path)
    try:
        kw = {} if mode == "wb" else {"encoding": encoding or "utf-8", "newline": newline}
        with os.fdopen(fd, mode, **kw) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        _unlink(tmp)
        raise
    _fsync_dir(d)


def write_bytes(path: str, data: bytes, inputs: Iterable[str] = ()) -> None:
    """Write data to path whole or not at all (see the module's doc)."""
    with open_atomic(path, "wb", inputs) as f:
        f.write(data)


def write_text(path: str, text: str, inputs: Iterable[str] = (), encoding: str = "utf-8") -> None:
    write_bytes(path, text.encode(encoding), inputs)


def write_json(path: str, obj: object, inputs: Iterable[str] = (), indent: int | None = 2) -> None:
    """json.dumps(obj, indent) and a newline, written whole or not at all."""
    write_text(path, json.dumps(obj, indent=indent) + "\n", inputs)


def write_many(files: dict, inputs: Iterable = ()) -> None:
    """Write several files that go together (a report and its summaries): every temporary is
    written and fsync'ed first; only when all are complete are they renamed into place. A
    failure (full disk) replaces none of them. Values are bytes or str (UTF-8)."""
    paths = list(files)
    check_outputs(paths, inputs)
    done = []  # (tmp, path, folder)
    try:
        for p in paths:
            data = files[p]
            if isinstance(data, str):
                data = data.encode("utf-8")
            if _is_special(p):
                done.append((None, p, None, data))
                continue
            fd, tmp, d = _temp_for(p)
            done.append((tmp, p, d, None))
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
    except BaseException:
        for tmp, _, _, _ in done:
            if tmp is not None:
                _unlink(tmp)
        raise
    for tmp, p, _d, data in done:
        if tmp is None:
            with open(p, "wb") as f:
                f.write(data)
        else:
            os.replace(tmp, p)
    for d in {d for _, _, d, _ in done if d is not None}:
        _fsync_dir(d)
