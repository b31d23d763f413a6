# SPDX-License-Identifier: Apache-2.0
"""The oracle: TFLite's interpreter (PyPI ai-edge-litert) with the reference kernels
(OpResolverType.BUILTIN_REF) on raw int8 input vectors.

  run(model, x)              -> int8 outputs, n x output length
  run_all_tensors(model, x)  -> per sample {tflite tensor index: array}, every intermediate
                                tensor kept (experimental_preserve_all_tensors)
"""

from __future__ import annotations

import numpy as np


class RefError(ValueError):
    """The model or the inputs do not fit the oracle's contract (one int8 input and output)."""


def _interpreter(model: str, preserve: bool = False):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    try:
        it = Interpreter(model_path=model,
                         experimental_op_resolver_type=OpResolverType.BUILTIN_REF,
                         experimental_preserve_all_tensors=preserve)
        it.allocate_tensors()
    except (ValueError, RuntimeError) as e:
        raise RefError(f"{model}: the TFLite interpreter cannot load it: {e}") from None
    ins, outs = it.get_input_details(), it.get_output_details()
    if len(ins) != 1 or len(outs) != 1:
        raise RefError(f"{model}: {len(ins)} inputs, {len(outs)} outputs; one of each needed")
    if ins[0]["dtype"] != np.int8 or outs[0]["dtype"] != np.int8:
        raise RefError(f"{model}: input {ins[0]['dtype']}, output {outs[0]['dtype']}; int8 needed")
    return it, ins[0], outs[0]


def io_lengths(model: str) -> tuple:
    """(input length, output length) of the model's single int8 input and output."""
    _, i, o = _interpreter(model)
    return int(np.prod(i["shape"])), int(np.prod(o["shape"]))


def run(model: str, x: np.ndarray) -> np.ndarray:
    """Outputs (n x out_len int8) of the reference kernels for inputs x (n x in_len int8)."""
    it, i, o = _interpreter(model)
    in_len, out_len = int(np.prod(i["shape"])), int(np.prod(o["shape"]))
    x = np.asarray(x, dtype=np.int8).reshape(-1, in_len)
    y = np.empty((x.shape[0], out_len), np.int8)
    for s in range(x.shape[0]):
        it.set_tensor(i["index"], x[s].reshape(i["shape"]))
        it.invoke()
        y[s] = it.get_tensor(o["index"]).reshape(-1)
    return y


def run_all_tensors(model: str, x: np.ndarray) -> list:
    """Every tensor of each inference, for per-operator comparisons: for inputs x (n x in_len
    int8, or one vector) a list of n dicts {tflite tensor index: array}. The importer's graph
    keeps g.src_tensors (graph tensor id -> tflite tensor index)."""
    it, i, o = _interpreter(model, preserve=True)
    in_len = int(np.prod(i["shape"]))
    x = np.asarray(x, dtype=np.int8).reshape(-1, in_len)
    res = []
    for s in range(x.shape[0]):
        it.set_tensor(i["index"], x[s].reshape(i["shape"]))
        it.invoke()
        out = {}
        for d in it.get_tensor_details():
            try:
                out[d["index"]] = np.array(it.get_tensor(d["index"]))
            except ValueError:
                pass                  # tensors without data (never allocated)
        res.append(out)
    return res


def read_inputs(path: str, in_len: int) -> np.ndarray:
    """Raw int8 file of n x in_len values, row-major."""
    x = np.fromfile(path, dtype=np.int8)
    if x.size == 0 or x.size % in_len:
        raise RefError(f"{path}: {x.size} bytes is not a positive multiple of the input length "
                       f"{in_len}")
    return x.reshape(-1, in_len)
