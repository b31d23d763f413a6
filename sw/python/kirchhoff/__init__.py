# SPDX-License-Identifier: Apache-2.0
"""Kirchhoff Python tooling: load data, train an MLP, quantize it to the chip's int8 arithmetic
(docs/numbers.md) and export it as a network file (docs/network-format.md)."""

from . import data, export, pipeline, quantize, train  # noqa: F401

__all__ = ["data", "export", "pipeline", "quantize", "train"]
