"""One way to turn a seed into a random generator, used by every task.

The generators in :mod:`rnncourse.data` never touch NumPy's or Python's global
random state: each call builds (or is handed) its own
:class:`numpy.random.Generator`. The same integer seed gives the same data on
every machine, because :func:`numpy.random.default_rng` (PCG64) is specified
bit for bit.
"""

from __future__ import annotations

import numbers

import numpy as np

SeedLike = int | np.random.Generator


def as_generator(seed: SeedLike) -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` for ``seed``.

    ``seed`` is either a non-negative integer (a fresh generator is built with
    :func:`numpy.random.default_rng`) or a generator, which is returned as it is
    (so several calls can share one stream of random numbers).

    >>> as_generator(0).integers(10, size=3).tolist()
    [8, 6, 5]
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(
            f"seed must be a non-negative int or a numpy.random.Generator, got {seed!r} "
            f"({type(seed).__name__}); pass e.g. seed=0 so that the data can be reproduced"
        )
    if seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed}")
    return np.random.default_rng(int(seed))


def derived_generator(seed: int, *keys: int) -> np.random.Generator:
    """A generator for ``(seed, *keys)``, e.g. ``(seed, epoch, batch_index)``.

    The keys feed :class:`numpy.random.SeedSequence`, so the streams for
    different keys are independent and each one can be rebuilt on its own (a
    data set can honour the index it is asked for).
    """
    for value in (seed, *keys):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
            raise ValueError(f"seed and keys must be non-negative ints, got {value!r}")
    return np.random.default_rng([int(seed), *(int(k) for k in keys)])
