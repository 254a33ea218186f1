r"""Prefix sums modulo n: a running total that an RNN can carry in its state.

Inputs :math:`x_t \in \{0, \dots, n-1\}`, targets

.. math::  y_t = (x_1 + \dots + x_t) \bmod n = (y_{t-1} + x_t) \bmod n,

so the target at each step is a function of the previous target and the
current input only: the ideal recurrent step. With n = 3,
``[1, 2, 1] -> [1, 0, 1]``. Any length works, which makes the task a test of
length generalisation (train on 20 steps, test on 5000).

Example::

    >>> prefix_sums_mod([1, 2, 1], 3).tolist()
    [1, 0, 1]
    >>> data = generate_prefix_sums(4, length=20, modulus=3, seed=0, one_hot=True)
    >>> data.inputs.shape, data.inputs.dtype, data.targets.shape, data.targets.dtype
    ((4, 20, 3), dtype('float32'), (4, 20), dtype('int64'))
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import check_int
from ._random import SeedLike, as_generator


def _check_modulus(modulus: object) -> int:
    return check_int("modulus n", modulus, minimum=2)


def prefix_sums_mod(x: np.ndarray | list, modulus: int) -> np.ndarray:
    """Running sums of ``x`` along the last axis, modulo ``modulus`` (int64)."""
    modulus = _check_modulus(modulus)
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.integer):
        raise ValueError(f"x must hold integers, got dtype {x.dtype}")
    if x.size and (x.min() < 0 or x.max() >= modulus):
        raise ValueError(f"x must hold values in 0..{modulus - 1}")
    # int64 sums of values below n overflow only after ~9e18 / n steps
    return np.cumsum(x.astype(np.int64), axis=-1) % modulus


def one_hot(ids: np.ndarray, depth: int) -> np.ndarray:
    """float32 one-hot of integer ``ids`` with ``depth`` classes (new last axis)."""
    depth = check_int("depth", depth, minimum=1)
    ids = np.asarray(ids)
    if ids.size and (ids.min() < 0 or ids.max() >= depth):
        raise ValueError(f"ids must lie in 0..{depth - 1}")
    return np.eye(depth, dtype=np.float32)[ids]


class PrefixSumData(NamedTuple):
    """``inputs``: (N, L) int64, or (N, L, n) float32 one-hot;
    ``targets``: (N, L) int64, or (N, L, n) float32 one-hot."""

    inputs: np.ndarray
    targets: np.ndarray


def generate_prefix_sums(n_sequences: int, length: int, modulus: int = 3, *, seed: SeedLike,
                         one_hot: bool = False,
                         one_hot_targets: bool = False) -> PrefixSumData:
    """Draw ``n_sequences`` uniform digit sequences and their prefix sums mod ``modulus``.

    ``one_hot=True`` one-hot codes the inputs (for an RNN without an
    embedding); the targets stay integer class ids (use a sparse categorical
    loss) unless ``one_hot_targets=True``.
    """
    n_sequences = check_int("n_sequences", n_sequences, minimum=0)
    length = check_int("length", length, minimum=1)
    modulus = _check_modulus(modulus)
    rng = as_generator(seed)
    x = rng.integers(0, modulus, size=(n_sequences, length))
    y = prefix_sums_mod(x, modulus)
    inputs = _one_hot(x, modulus) if one_hot else x
    targets = _one_hot(y, modulus) if one_hot_targets else y
    return PrefixSumData(inputs, targets)


_one_hot = one_hot  # the keyword argument `one_hot` shadows the function inside
