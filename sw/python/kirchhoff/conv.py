# SPDX-License-Identifier: Apache-2.0
"""Convolution layers as matrix-vector products (im2col), shared by the float, the int8 and the
export code.

A convolution layer has geometry Conv(in_h, in_w, in_c, kh, kw, stride): no padding ("valid"),
out_h = (in_h - kh) // stride + 1, out_w likewise. Activations are flattened HWC: element
(y, x, c) of an H x W x C tensor is at index (y*W + x)*C + c. The weights are an N x K matrix
with N = output channels and K = kh*kw*in_c, column (dy*kw + dx)*in_c + ci (the patch in HWC
order), so every output pixel is one MVM of the layer's weights with that pixel's patch; the
outputs are again HWC (pixel p = oy*out_w + ox, channel n at p*N + n).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Conv:
    in_h: int
    in_w: int
    in_c: int
    kh: int
    kw: int
    stride: int = 1

    def __post_init__(self):
        for name in ("in_h", "in_w", "in_c", "kh", "kw", "stride"):
            v = getattr(self, name)
            if not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"conv {name} = {v!r} must be a positive integer")
        if self.kh > self.in_h or self.kw > self.in_w:
            raise ValueError(f"conv kernel {self.kh}x{self.kw} larger than the input "
                             f"{self.in_h}x{self.in_w}")

    @property
    def out_h(self) -> int:
        return (self.in_h - self.kh) // self.stride + 1

    @property
    def out_w(self) -> int:
        return (self.in_w - self.kw) // self.stride + 1

    @property
    def pixels(self) -> int:
        return self.out_h * self.out_w

    @property
    def k(self) -> int:
        return self.kh * self.kw * self.in_c

    @property
    def in_len(self) -> int:
        return self.in_h * self.in_w * self.in_c

    def as_tuple(self) -> tuple[int, int, int, int, int, int]:
        return (self.in_h, self.in_w, self.in_c, self.kh, self.kw, self.stride)


def patch_index(g: Conv) -> np.ndarray:
    """P x K index array: patch p's column j reads flattened input element idx[p, j]."""
    idx = np.empty((g.pixels, g.k), dtype=np.int64)
    p = 0
    for oy in range(g.out_h):
        for ox in range(g.out_w):
            j = 0
            for dy in range(g.kh):
                for dx in range(g.kw):
                    base = ((oy * g.stride + dy) * g.in_w + (ox * g.stride + dx)) * g.in_c
                    idx[p, j:j + g.in_c] = base + np.arange(g.in_c)
                    j += g.in_c
            p += 1
    return idx


def im2col(x: np.ndarray, g: Conv) -> np.ndarray:
    """x: n x in_len (any dtype) -> (n*P) x K patches, sample-major (sample s, pixel p at row
    s*P + p)."""
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != g.in_len:
        raise ValueError(f"conv input must be n x {g.in_len}, got {x.shape}")
    return x[:, patch_index(g)].reshape(-1, g.k)


def col2out(z: np.ndarray, n: int, g: Conv) -> np.ndarray:
    """(n*P) x N per-pixel outputs -> n x (P*N), HWC flattened."""
    return np.asarray(z).reshape(n, g.pixels * z.shape[1])
