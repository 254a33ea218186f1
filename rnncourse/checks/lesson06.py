"""Checks for lesson 06: padding and masking.

The mask and the masked mean are compared with :func:`rnncourse.data.padding_mask`
and :func:`rnncourse.data.variable_length.masked_mean`, and with the answers that
typical mistakes give (each differing from the right one in one term). The
bucketing exercise has many right answers (any order of the batches and within
them, any choice among equal lengths), so its judge checks the properties the
lesson asks for, one by one, and compares the padding with the fewest possible.
"""

from __future__ import annotations

import numpy as np

from rnncourse.checks.core import (
    Failure,
    compare_arrays,
    compare_number,
    describe,
    distinct_sizes,
    is_close,
    tolerance,
)
from rnncourse.checks.exercise import Exercise, register
from rnncourse.data.temporal_order import padding_mask
from rnncourse.data.variable_length import masked_mean, minimal_padded_steps, padded_steps


def _lengths_with_edges(rng, batch: int, steps: int) -> np.ndarray:
    """``batch`` lengths in [0, steps], with an empty, a full and a padded row, shuffled."""
    lengths = rng.integers(1, steps, size=batch)  # padded rows: 1 ... steps - 1
    lengths[0], lengths[1] = 0, steps
    return lengths[rng.permutation(batch)].astype(np.int64)


# --------------------------------------------------------------------------- the mask


def _shifted_mask(lengths, steps, padding, delta):
    """The mask with every row's real part ``delta`` steps longer (clipped)."""
    return padding_mask(np.clip(np.asarray(lengths) + delta, 0, steps), steps, padding)


@register
class MaskFromLengths(Exercise):
    """``mask_from_lengths(lengths, steps, padding) -> (batch, steps) bool``.

    Every case has an empty row (length 0), a full row (length ``steps``) and
    padded rows, the edge cases the lesson names; the cases alternate
    ``"post"`` and ``"pre"``, and ``steps`` differs from the batch size so that
    a transposed mask shows in its shape.
    """

    name = "mask_from_lengths"
    lesson = "06"
    input_names = ("lengths", "steps", "padding")
    read_only_inputs = ("lengths",)

    def cases(self, rng):
        cases = []
        for padding in ("post", "pre", "post", "pre"):
            batch, steps = distinct_sizes(rng, 2, 3, 9)
            cases.append((_lengths_with_edges(rng, batch, steps), steps, padding))
        return cases

    def judge(self, case, value):
        lengths, steps, padding = case
        expected = padding_mask(lengths, steps, padding)
        other = "pre" if padding == "post" else "post"
        real = "first" if padding == "post" else "last"
        mistakes = [
            (
                "your mask is inverted: it is True at the padding. True marks the real steps.",
                ~expected,
            ),
            (
                f"your mask is the one for padding={other!r}; with padding={padding!r} the real "
                f"steps are the {real} lengths[b] steps of row b.",
                padding_mask(lengths, steps, other),
            ),
            (
                "one step too many is marked real in each padded row (check < against <=, or "
                "> against >=): row b has exactly lengths[b] real steps.",
                _shifted_mask(lengths, steps, padding, +1),
            ),
            (
                "one step too few is marked real in each row: row b has exactly lengths[b] "
                "real steps.",
                _shifted_mask(lengths, steps, padding, -1),
            ),
        ]
        if isinstance(value, np.ndarray) and value.dtype != bool and value.dtype.kind in "iuf":
            if is_close(value, expected.astype(float)):
                raise Failure(
                    f"the values are right but your mask holds numbers (dtype {value.dtype}), "
                    "not booleans: Keras expects a boolean mask. Return the comparison itself "
                    "(it is boolean), or use .astype(bool)."
                )
        compare_arrays(value, expected, mistakes, what="the mask")
        if value.dtype != bool:
            raise Failure(f"the mask should hold booleans, but its dtype is {value.dtype}.")


# --------------------------------------------------------------------------- masked mean


def _per_sequence_means(losses, mask):
    sums = (losses * mask).sum(axis=1)
    counts = mask.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
    return means, counts


def _mean_loss_mistakes(losses, mask):
    means, counts = _per_sequence_means(losses, mask)
    masked_sum = (losses * mask).sum()
    per_sequence = (
        "you averaged each sequence first and then the sequences: that gives every sequence "
        "the same weight, so the words of short sequences count more. Sum the losses at all "
        "the real steps and divide by the number of real steps."
    )
    return [
        (
            "you divided by all the steps, padding included: divide the sum by the number of "
            "real steps, mask.sum().",
            masked_sum / mask.size,
        ),
        (
            "you averaged every step, padding included: the losses at the padding steps are not "
            "zero. Keep only the real steps (losses[mask], or multiply by the mask).",
            losses.mean(),
        ),
        (
            "your sum includes the losses at the padding steps: multiply the losses by the mask "
            "(or select losses[mask]) before summing.",
            losses.sum() / mask.sum(),
        ),
        ("you returned the sum; divide it by the number of real steps.", masked_sum),
        (
            "you divided by the number of sequences; divide by the number of real steps.",
            masked_sum / mask.shape[0],
        ),
        (
            "you divided by the number of time steps; divide by the number of real steps.",
            masked_sum / mask.shape[1],
        ),
        (
            "you averaged over the padding steps: the mask is True at the real steps.",
            (losses * ~mask).sum() / (~mask).sum(),
        ),
        (per_sequence, np.nanmean(means)),  # the empty sequence left out
        (per_sequence, np.where(counts > 0, means, 0.0).mean()),  # counted as 0
        (per_sequence, means.mean()),  # NaN, from the empty sequence
    ]


@register
class MaskedMeanLoss(Exercise):
    """``masked_mean_loss(losses, mask) -> float``.

    Every case has a sequence without any real step, one without padding and
    padded ones, with losses at the padding steps as large as the others (the
    lesson names both). Each sequence's losses have their own level, and the
    draw is repeated until the right answer and every typical mistake lie at
    least ten bands apart, so that no mistake passes, or gets another's
    message, by chance.
    """

    name = "masked_mean_loss"
    lesson = "06"
    input_names = ("losses", "mask")
    read_only_inputs = ("losses", "mask")

    def cases(self, rng):
        cases = []
        for padding in ("post", "pre", "post"):
            while True:
                batch, steps = distinct_sizes(rng, 2, 4, 9)
                lengths = _lengths_with_edges(rng, batch, steps)
                mask = padding_mask(lengths, steps, padding)
                levels = rng.uniform(0.2, 3.0, size=(batch, 1))
                losses = levels * rng.uniform(0.5, 1.5, size=(batch, steps))
                if self._separated(losses, mask):
                    break
            cases.append((losses, mask))
        return cases

    @staticmethod
    def _separated(losses, mask) -> bool:
        """Whether the right answer and the mistakes (by message) lie ten bands apart."""
        values = [("right", masked_mean(losses, mask)), *_mean_loss_mistakes(losses, mask)]
        values = [(message, float(v)) for message, v in values if np.isfinite(v)]
        for i, (message_a, a) in enumerate(values):
            for message_b, b in values[i + 1 :]:
                band = max(float(tolerance(np.asarray(a))), float(tolerance(np.asarray(b))))
                if message_a != message_b and abs(a - b) <= 10 * band:
                    return False
        return True

    def judge(self, case, value):
        losses, mask = case
        compare_number(
            value,
            masked_mean(losses, mask),
            _mean_loss_mistakes(losses, mask),
            what="the masked mean loss",
        )


# --------------------------------------------------------------------------- bucketing


def _as_batches(value, n: int, batch_size: int) -> list[np.ndarray]:
    """The learner's batches as a list of 1-D arrays, or a Failure naming the problem."""
    k = n // batch_size
    if isinstance(value, np.ndarray) and value.ndim == 2:
        return list(value)
    if isinstance(value, np.ndarray) and value.ndim == 1:
        if value.size == n:
            raise Failure(
                f"you returned one array of {n} indices; cut it into {k} batches of "
                f"batch_size = {batch_size} indices each (a list of arrays)."
            )
        raise Failure(
            f"expected a list of {k} arrays of {batch_size} indices, got {describe(value)}."
        )
    if not isinstance(value, list):
        raise Failure(
            f"expected a list of {k} arrays of {batch_size} indices, got {describe(value)}."
        )
    batches = []
    for number, batch in enumerate(value, start=1):
        if not isinstance(batch, np.ndarray) or batch.ndim != 1:
            raise Failure(
                f"batch {number} should be a 1-D array of indices, but it is {describe(batch)}."
            )
        batches.append(batch)
    return batches


@register
class BucketBatches(Exercise):
    """``bucket_batches(lengths, batch_size) -> list of index arrays``.

    Any answer with the properties the lesson lists passes: ``n // batch_size``
    batches of ``batch_size`` indices, every index once, and the fewest padding
    steps possible (:func:`~rnncourse.data.variable_length.minimal_padded_steps`),
    in any order. Every case has equal lengths in it, so that answers that break
    ties differently are all tried.
    """

    name = "bucket_batches"
    lesson = "06"
    input_names = ("lengths", "batch_size")
    read_only_inputs = ("lengths",)

    def cases(self, rng):
        cases = []
        for _ in range(3):
            batch_size, n_batches = distinct_sizes(rng, 2, 2, 6)
            n = batch_size * n_batches
            while True:
                lengths = rng.integers(1, 13, size=n).astype(np.int64)
                unsorted = [np.arange(i, i + batch_size) for i in range(0, n, batch_size)]
                has_ties = len(np.unique(lengths)) < n
                if has_ties and padded_steps(lengths, unsorted) > minimal_padded_steps(
                    lengths, batch_size
                ):
                    break
            cases.append((lengths, batch_size))
        return cases

    def judge(self, case, value):
        lengths, batch_size = case
        n = len(lengths)
        k = n // batch_size
        batches = _as_batches(value, n, batch_size)
        flat = np.concatenate(batches) if batches else np.zeros(0)
        if flat.size and flat.dtype.kind not in "iu":
            if flat.dtype.kind == "f" and np.all(flat == np.round(flat)):
                raise Failure(
                    "your batches hold floats; indices must be ints (np.argsort gives ints)."
                )
            raise Failure(f"your batches should hold int indices, but their dtype is {flat.dtype}.")
        if (
            flat.size == n
            and np.array_equal(np.sort(flat), np.sort(lengths))
            and not np.array_equal(np.sort(flat), np.arange(n))
        ):
            raise Failure(
                "your batches hold the lengths themselves; return the indices of the "
                "sequences (np.argsort(lengths) sorts indices by length)."
            )
        if len(batches) != k:
            raise Failure(
                f"{n} sequences in batches of {batch_size} make {k} batches; you returned "
                f"{len(batches)}."
            )
        sizes = [len(b) for b in batches]
        if any(size != batch_size for size in sizes):
            raise Failure(
                f"every batch needs batch_size = {batch_size} indices; yours have {sizes}."
            )
        if flat.min() < 0 or flat.max() >= n:
            raise Failure(f"an index lies outside 0 ... {n - 1}: indices point into lengths.")
        counts = np.bincount(flat.astype(np.int64), minlength=n)
        if np.any(counts != 1):
            twice = int(np.flatnonzero(counts > 1)[0])
            raise Failure(
                f"index {twice} appears {int(counts[twice])} times (and another is missing): "
                "every index must be in exactly one batch."
            )
        yours = padded_steps(lengths, batches)
        fewest = minimal_padded_steps(lengths, batch_size)
        if yours > fewest:
            unsorted = [np.arange(i, i + batch_size) for i in range(0, n, batch_size)]
            if yours == padded_steps(lengths, unsorted):
                raise Failure(
                    f"your batches pad {yours} steps, as many as cutting the data in its "
                    f"original order; the fewest possible is {fewest}. Sort the indices by "
                    "length first (np.argsort(lengths)), then cut."
                )
            raise Failure(
                f"your batches pad {yours} steps; the fewest possible is {fewest}. Sort the "
                "indices by length (np.argsort(lengths)) and cut the sorted order into "
                "consecutive groups of batch_size."
            )
