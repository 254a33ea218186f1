r"""The adding problem (Hochreiter & Schmidhuber 1997; in the form of Le et al. 2015).

Each step carries two numbers: a value :math:`v_t \sim U[0, 1)` and a marker
:math:`m_t \in \{0, 1\}`. Exactly two markers are 1, one at a position
:math:`p_1` drawn uniformly from the first half :math:`[0, \lfloor T/2 \rfloor)`
and one at :math:`p_2` from the second half :math:`[\lfloor T/2 \rfloor, T)`.
The target is

.. math::  y = v_{p_1} + v_{p_2} \in [0, 2).

Predicting the constant 1 gives a mean squared error of 1/6 (the variance of a
sum of two U[0, 1) values), the baseline a model has to beat.

Example::

    >>> data = generate_adding(3, length=10, seed=0)
    >>> data.inputs.shape, data.inputs.dtype, data.targets.shape
    ((3, 10, 2), dtype('float32'), (3,))
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import check_int
from ._random import SeedLike, as_generator

#: Mean squared error of always predicting the mean, 1 (= 2 * 1/12).
BASELINE_MSE = 1.0 / 6.0


class AddingData(NamedTuple):
    """``inputs`` (n, T, 2) float32 (value, marker); ``targets`` (n,) float32;
    ``positions`` (n, 2) int64, the two marked steps (first < second)."""

    inputs: np.ndarray
    targets: np.ndarray
    positions: np.ndarray


def generate_adding(n: int, length: int, *, seed: SeedLike) -> AddingData:
    """Draw ``n`` adding-problem sequences of ``length`` steps (length >= 2)."""
    n = check_int("n", n, minimum=0)
    length = check_int("length", length, minimum=2)
    rng = as_generator(seed)
    half = length // 2
    values = rng.random((n, length), dtype=np.float32)
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, length, size=n)
    rows = np.arange(n)
    markers = np.zeros((n, length), np.float32)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    inputs = np.stack([values, markers], axis=-1)
    targets = values[rows, first] + values[rows, second]
    return AddingData(inputs, targets, np.stack([first, second], axis=1))
