"""Sequences of different lengths: a seeded variable-length task, masks, bucketing.

Pure NumPy, used by lesson 06 (padding and masking) and its checks:

- :func:`generate_variable_tagging`: sentences of the tagging task
  (:mod:`rnncourse.data.tagging`) with lengths drawn from a skewed distribution
  (many short sentences, a few long ones), as a list of unpadded arrays;
- :func:`masked_mean`: the mean of per-step values over the real steps only;
- :func:`bucket_batches`: batches of indices with the fewest padded steps
  (sort by length, cut into consecutive groups);
- :func:`computed_steps` and :func:`padded_steps`: what a batching costs.

The mask of a padded batch comes from :func:`rnncourse.data.padding_mask`.

Example::

    >>> data = generate_variable_tagging(6, seed=0, max_length=12)
    >>> [len(t) for t in data.tokens] == data.lengths.tolist()
    True
    >>> batches = bucket_batches(np.array([5, 1, 4, 2]), 2)
    >>> [b.tolist() for b in batches]
    [[1, 3], [2, 0]]
    >>> lengths = np.array([5, 1, 4, 2])
    >>> computed_steps(lengths, batches), padded_steps(lengths, batches)
    (14, 2)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from ._checks import check_fraction, check_int
from ._random import SeedLike, as_generator
from .tagging import TaggingTask


class VariableTagging(NamedTuple):
    """Sentences of different lengths, unpadded.

    ``tokens`` and ``tags``: lists of n int32 arrays (word ids into
    :data:`rnncourse.data.tagging.WORDS`, tag ids into ``TAGS``; id 0, padding,
    never occurs); ``lengths``: (n,) int64, the length of each sentence.
    """

    tokens: list[np.ndarray]
    tags: list[np.ndarray]
    lengths: np.ndarray


def sentence_lengths(
    n: int, *, seed: SeedLike, min_length: int = 2, max_length: int = 48, typical_length: int = 10
) -> np.ndarray:
    """(n,) int64 lengths, log-normal around ``typical_length`` (its median), clipped.

    Many sentences are short and a few are long, as in real text: the longest
    of a few thousand is several times the median.
    """
    n = check_int("n", n, minimum=0)
    min_length = check_int("min_length", min_length, minimum=2)
    max_length = check_int("max_length", max_length, minimum=min_length)
    typical_length = check_int("typical_length", typical_length, minimum=1)
    rng = as_generator(seed)
    lengths = np.rint(np.exp(rng.normal(np.log(typical_length), 0.6, size=n)))
    return np.clip(lengths, min_length, max_length).astype(np.int64)


def generate_variable_tagging(
    n: int,
    *,
    seed: SeedLike,
    min_length: int = 2,
    max_length: int = 48,
    typical_length: int = 10,
    ambiguous_rate: float = 0.3,
) -> VariableTagging:
    """Draw ``n`` tagging sentences whose lengths follow :func:`sentence_lengths`.

    Each sentence of length L is a sentence of ``TaggingTask(length=L)``, so an
    ambiguous word is always followed by the word that decides its tag, also in
    the shortest sentences. The order of the sentences is random. ``seed``: an
    int or a :class:`numpy.random.Generator`.
    """
    n = check_int("n", n, minimum=0)
    ambiguous_rate = check_fraction("ambiguous_rate", ambiguous_rate)
    rng = as_generator(seed)
    lengths = sentence_lengths(
        n, seed=rng, min_length=min_length, max_length=max_length, typical_length=typical_length
    )
    tokens: list[np.ndarray] = [np.zeros(0, np.int32)] * n
    tags: list[np.ndarray] = [np.zeros(0, np.int32)] * n
    for length in np.unique(lengths).tolist():
        rows = np.flatnonzero(lengths == length)
        task = TaggingTask(length=int(length), ambiguous_rate=ambiguous_rate)
        data = task.generate(len(rows), seed=rng)
        for k, row in enumerate(rows.tolist()):
            tokens[row] = data.tokens[k]
            tags[row] = data.tags[k]
    return VariableTagging(tokens, tags, lengths)


def _lengths(lengths) -> np.ndarray:
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or (lengths.size and lengths.dtype.kind not in "iu"):
        raise ValueError(
            f"lengths must be a 1-D array of ints, got {lengths.dtype} {lengths.shape}"
        )
    if lengths.size and lengths.min() < 0:
        raise ValueError("lengths must be >= 0")
    return lengths.astype(np.int64)


def masked_mean(values, mask) -> float:
    """The mean of ``values`` over the entries where ``mask`` is True.

    ``values`` and ``mask``: arrays of one shape, e.g. (batch, time) per-step
    losses and the padding mask. This is the sum of the masked values divided
    by the number of real entries: every real step weighs the same, whatever
    the length of its sequence. Raises ValueError when no entry is real.
    """
    values = np.asarray(values, dtype=np.float64)
    mask = np.asarray(mask, dtype=bool)
    if values.shape != mask.shape:
        raise ValueError(f"values {values.shape} and mask {mask.shape} differ in shape")
    real = int(mask.sum())
    if real == 0:
        raise ValueError("the mask has no real entry: the mean is undefined")
    return float(np.where(mask, values, 0.0).sum() / real)


def bucket_batches(lengths, batch_size: int) -> list[np.ndarray]:
    """Batches of indices with the fewest padded steps: sort by length, then cut.

    ``lengths``: (n,) ints; ``batch_size`` must divide n. Returns n / batch_size
    int64 index arrays of ``batch_size`` each, the shortest sequences first
    (a stable sort: equal lengths keep their order). Among all ways of cutting
    n sequences into batches of ``batch_size``, this one pads fewest steps
    (:func:`padded_steps`): the batch holding the longest sequence costs
    ``batch_size`` times its length whatever else it holds, so filling it with
    the next longest ones is never worse, and so on down.
    """
    lengths = _lengths(lengths)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    if lengths.size % batch_size:
        raise ValueError(f"batch_size {batch_size} does not divide the {lengths.size} sequences")
    order = np.argsort(lengths, kind="stable")
    return [order[i : i + batch_size] for i in range(0, lengths.size, batch_size)]


def computed_steps(lengths, batches: Sequence[np.ndarray]) -> int:
    """The steps an RNN computes on these batches: each batch is padded to its longest."""
    lengths = _lengths(lengths)
    return int(
        sum(len(b) * lengths[np.asarray(b, dtype=np.int64)].max() for b in batches if len(b))
    )


def padded_steps(lengths, batches: Sequence[np.ndarray]) -> int:
    """The padding steps of these batches: computed steps minus real steps."""
    lengths = _lengths(lengths)
    real = sum(int(lengths[np.asarray(b, dtype=np.int64)].sum()) for b in batches if len(b))
    return computed_steps(lengths, batches) - real


def minimal_padded_steps(lengths, batch_size: int) -> int:
    """The fewest padded steps of any batching into batches of ``batch_size``."""
    return padded_steps(lengths, bucket_batches(lengths, batch_size))
