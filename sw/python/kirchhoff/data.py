# SPDX-License-Identifier: Apache-2.0
"""Data sets: the 8x8 digits set shipped with scikit-learn, or any CSV file.

CSV rules: the first row is a header; every other row has the same number of cells; all cells but
the last are numbers (finite, and within +-1e100: the standardization sums their squares in
float64, which 1e308 overflows); the last cell is the class label. Labels are mapped to 0..C-1 in
sorted order (numeric order when every label is a number, else string order). Anything else is
rejected with a DataError naming the file, the line and the column.
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass, field

import numpy as np

# Largest feature magnitude: n * v**2 must stay finite in float64 for any realistic n (1e6 rows of
# 1e100 sum to 1e206), so the scaler's mean and variance are finite.
MAX_ABS_FEATURE = 1e100


class DataError(ValueError):
    """A data set that cannot be used, with a message that says where and why."""


@dataclass
class Dataset:
    X: np.ndarray                 # float64, n x features
    y: np.ndarray                 # int64, n, in 0..C-1
    classes: list                 # original label of class i (str)
    feature_names: list = field(default_factory=list)
    source: str = ""

    @property
    def n_classes(self) -> int:
        return len(self.classes)


def load_digits() -> Dataset:
    """The 1797 8x8 digit images of scikit-learn (pixels 0..16), classes 0..9."""
    from sklearn.datasets import load_digits as _sk_digits

    d = _sk_digits()
    X = np.asarray(d.data, dtype=np.float64)
    y = np.asarray(d.target, dtype=np.int64)
    return Dataset(X=X, y=y, classes=[str(c) for c in range(10)],
                   feature_names=[f"pixel_{i}" for i in range(X.shape[1])],
                   source="sklearn digits (8x8)")


def _as_number(s):
    try:
        v = float(s)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def _label_order(labels):
    """Sorted distinct labels: numerically if all are finite numbers, else as strings."""
    distinct = sorted(set(labels))
    nums = {lab: _as_number(lab) for lab in distinct}
    if any(v is None for v in nums.values()):
        return distinct
    by_value = {}
    for lab in distinct:
        if nums[lab] in by_value:
            # "1" and "1.0" would silently be two classes: refuse.
            raise DataError(f"labels '{by_value[nums[lab]]}' and '{lab}' are the same number; "
                            "write each class label one way")
        by_value[nums[lab]] = lab
    return sorted(distinct, key=lambda lab: nums[lab])


def load_csv(path: str) -> Dataset:
    """Load a CSV data set (see the module doc). Raises DataError on any problem."""
    if not os.path.exists(path):
        raise DataError(f"{path}: no such file")
    if os.path.isdir(path):
        raise DataError(f"{path}: is a directory, not a CSV file")
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except UnicodeDecodeError as e:
        raise DataError(f"{path}: not a UTF-8 text file ({e})") from None
    except csv.Error as e:
        raise DataError(f"{path}: CSV syntax error: {e}") from None
    except OSError as e:
        raise DataError(f"{path}: cannot read: {e.strerror}") from None

    # Keep line numbers (1-based) while dropping blank lines.
    numbered = [(i + 1, r) for i, r in enumerate(rows) if r and any(c.strip() for c in r)]
    if not numbered:
        raise DataError(f"{path}: empty file (expected a header row and data rows)")
    header_line, header = numbered[0]
    header = [h.strip() for h in header]
    ncol = len(header)
    if ncol < 2:
        raise DataError(f"{path}:{header_line}: header has {ncol} column; need at least one "
                        "feature column and a label column")
    data = numbered[1:]
    if not data:
        raise DataError(f"{path}: header only, no data rows")

    X = np.empty((len(data), ncol - 1), dtype=np.float64)
    labels = []
    for i, (line, r) in enumerate(data):
        if len(r) != ncol:
            raise DataError(f"{path}:{line}: {len(r)} cells, but the header has {ncol} "
                            "(ragged row)")
        for j in range(ncol - 1):
            cell = r[j].strip()
            try:
                v = float(cell)
            except ValueError:
                raise DataError(f"{path}:{line}: column {j + 1} ('{header[j]}'): "
                                f"'{cell}' is not a number") from None
            if not math.isfinite(v):
                raise DataError(f"{path}:{line}: column {j + 1} ('{header[j]}'): "
                                f"'{cell}' is not a finite number")
            if abs(v) > MAX_ABS_FEATURE:
                raise DataError(f"{path}:{line}: column {j + 1} ('{header[j]}'): "
                                f"'{cell}' is too large: features must be within "
                                f"+-{MAX_ABS_FEATURE:g} (their squares are summed in float64 to "
                                "standardize them); rescale the column")
            X[i, j] = v
        lab = r[-1].strip()
        if lab == "":
            raise DataError(f"{path}:{line}: column {ncol} ('{header[-1]}'): empty class label")
        labels.append(lab)

    try:
        order = _label_order(labels)
    except DataError as e:
        raise DataError(f"{path}: {e}") from None
    if len(order) < 2:
        raise DataError(f"{path}: only one class ('{order[0]}') in the label column "
                        f"'{header[-1]}'; need at least 2")
    index = {lab: k for k, lab in enumerate(order)}
    y = np.array([index[lab] for lab in labels], dtype=np.int64)
    return Dataset(X=X, y=y, classes=list(order), feature_names=header[:-1],
                   source=os.path.abspath(path))


def load(path: str | None = None) -> Dataset:
    """The digits set when path is None, else the CSV file at path."""
    return load_digits() if path is None else load_csv(path)


def split(ds: Dataset, test_size: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stratified train/test split (deterministic for a seed). Returns Xtr, Xte, ytr, yte."""
    from sklearn.model_selection import train_test_split

    counts = np.bincount(ds.y, minlength=ds.n_classes)
    for k, c in enumerate(counts):
        if c < 2:
            raise DataError(f"{ds.source}: class '{ds.classes[k]}' has {c} sample(s); a "
                            "stratified train/test split needs at least 2 per class")
    n_test = math.ceil(test_size * len(ds.y))
    if n_test < ds.n_classes or len(ds.y) - n_test < ds.n_classes:
        raise DataError(f"{ds.source}: {len(ds.y)} samples are too few to split "
                        f"{test_size:g} for testing with {ds.n_classes} classes")
    return train_test_split(ds.X, ds.y, test_size=test_size, random_state=seed, stratify=ds.y)
