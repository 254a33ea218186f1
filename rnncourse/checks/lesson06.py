"""Checks for lesson 06: padding and masking.

The mask and the masked mean are compared with :func:`rnncourse.data.padding_mask`
and :func:`rnncourse.data.variable_length.masked_mean`, and with the answers that
typical mistakes give (each differing from the right one in one term). The
bucketing exercise has many right answers (any order of the batches and within
them, any choice among equal lengths), so its judge checks the properties the
lesson asks for, one by one, and compares the padding with the fewest possible.
"""

from __future__ import annotations

import math

import numpy as np

from rnncourse.checks.core import (
    PRECISION_ZONE,
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
from rnncourse.data.variable_length import (
    masked_mean,
    minimal_padded_steps,
    padded_steps,
    sentence_lengths,
)

#: the large case of ``bucket_batches``: as many lengths, and batches as large, as the lesson's
LARGE_CASE, LARGE_BATCH = 2048, 32


def _lengths_with_edges(rng, batch: int, steps: int) -> np.ndarray:
    """``batch`` lengths in [0, steps], with an empty, a full and a padded row, shuffled."""
    lengths = rng.integers(1, steps, size=batch)  # padded rows: 1 ... steps - 1
    lengths[0], lengths[1] = 0, steps
    return lengths[rng.permutation(batch)].astype(np.int64)


def _lengths_without_full_row(rng, batch: int, steps: int) -> np.ndarray:
    """``batch`` lengths in [0, steps - 2], with an empty row, shuffled: no row is full."""
    lengths = rng.integers(1, steps - 1, size=batch)  # 1 ... steps - 2
    lengths[0] = 0
    return lengths[rng.permutation(batch)].astype(np.int64)


# --------------------------------------------------------------------------- the mask


def _shifted_mask(lengths, steps, padding, delta):
    """The mask with every row's real part ``delta`` steps longer (clipped)."""
    return padding_mask(np.clip(np.asarray(lengths) + delta, 0, steps), steps, padding)


def _mask_mistakes(lengths, steps, padding):
    """The masks that typical mistakes give, with their messages."""
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
    longest = int(np.max(lengths))
    if longest < steps:
        mistakes.append(
            (
                f"your mask has max(lengths) = {longest} columns, not steps = {steps}: the "
                "sequences are padded to `steps`, which may be longer than the longest "
                "sequence. Use `steps` for the number of columns.",
                padding_mask(lengths, longest, padding),
            )
        )
    if padding == "pre" and np.any(lengths == 0):
        whole_rows = expected.copy()
        whole_rows[lengths == 0] = True
        mistakes.append(
            (
                "with padding='pre' a row of length 0 is all True in your mask, where it "
                "should be all False: `m[b, -n:]` with n = 0 is `m[b, -0:]`, and -0 is 0, "
                "so it slices the whole row. Slice `m[b, steps - n:]` instead, or compare "
                "positions with steps - lengths.",
                whole_rows,
            )
        )
    if padding == "pre":
        mistakes.append(
            (
                "your mask for padding='pre' is the one for 'post' with its rows (the batch "
                "axis) in reverse order: reverse each row in time instead (axis 1, "
                "`m[:, ::-1]`).",
                padding_mask(lengths, steps, "post")[::-1],
            )
        )
    return mistakes


def _distinct_mistakes(lengths, steps, padding) -> bool:
    """Whether the right mask and the mistakes' (by message) all differ from each other."""
    masks = [("right", padding_mask(lengths, steps, padding))]
    masks += _mask_mistakes(lengths, steps, padding)
    for i, (message_a, a) in enumerate(masks):
        for message_b, b in masks[i + 1 :]:
            if message_a != message_b and a.shape == b.shape and np.array_equal(a, b):
                return False
    return True


@register
class MaskFromLengths(Exercise):
    """``mask_from_lengths(lengths, steps, padding) -> (batch, steps) bool``.

    Every case has an empty row (length 0) and padded rows; four have a full
    row (length ``steps``), and two (one per padding) have none, so that
    ``steps`` exceeds ``max(lengths)`` and a mask with ``max(lengths)`` columns
    fails. These are the edge cases the lesson names; the cases alternate
    ``"post"`` and ``"pre"``, and ``steps`` differs from the batch size so that
    a transposed mask shows in its shape. A draw in which two mistakes (or a
    mistake and the right answer) give the same mask is drawn again.
    """

    name = "mask_from_lengths"
    lesson = "06"
    input_names = ("lengths", "steps", "padding")
    read_only_inputs = ("lengths",)

    def cases(self, rng):
        cases = []
        draws = [(_lengths_with_edges, 3, padding) for padding in ("post", "pre", "post", "pre")]
        # no full row: steps > max(lengths)
        draws += [(_lengths_without_full_row, 4, padding) for padding in ("post", "pre")]
        for draw, smallest, padding in draws:
            while True:  # until no mistake gives another's mask, or the right one
                batch, steps = distinct_sizes(rng, 2, smallest, 9)
                lengths = draw(rng, batch, steps)
                if _distinct_mistakes(lengths, steps, padding):
                    break
            cases.append((lengths, steps, padding))
        return cases

    def judge(self, case, value):
        lengths, steps, padding = case
        expected = padding_mask(lengths, steps, padding)
        mistakes = _mask_mistakes(lengths, steps, padding)
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
    real = int(mask.sum())
    per_sequence = (
        "you averaged each sequence first and then the sequences: that gives every sequence "
        "the same weight, so the words of short sequences count more. Sum the losses at all "
        "the real steps and divide by the number of real steps."
    )
    per_time_step = (
        "you averaged each time step first (over the sequences) and then the time steps: "
        "that gives every time step the same weight, however many sequences are real there. "
        "Sum the losses at all the real steps and divide by the number of real steps."
    )
    step_sums = (losses * mask).sum(axis=0)
    step_counts = mask.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        step_means = step_sums / step_counts
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
        (
            "you divided by the number of real steps plus one; divide by mask.sum() itself.",
            masked_sum / (real + 1),
        ),
        (
            "you divided by the number of real steps minus one; divide by mask.sum() itself.",
            masked_sum / (real - 1),
        ),
        (
            "you divided by the number of nonzero losses, but a real step can have a loss of "
            "exactly 0 (a perfect prediction; some here do): divide by the number of real "
            "steps, mask.sum().",
            masked_sum / np.count_nonzero(losses * mask),
        ),
        (
            "you returned the median of the losses at the real steps; the exercise asks for "
            "their mean.",
            np.median(losses[mask]),
        ),
        (per_sequence, np.nanmean(means)),  # the empty sequence left out
        (per_sequence, np.where(counts > 0, means, 0.0).mean()),  # counted as 0
        (per_sequence, means.mean()),  # NaN, from the empty sequence
        (per_time_step, np.nanmean(step_means)),  # time steps without a real step left out
        (per_time_step, np.where(step_counts > 0, step_means, 0.0).mean()),  # counted as 0
    ]


def _other_wrong_answers(losses, mask):
    """Mistakes without a message of their own, kept far from the right answer and the others."""
    nonempty = mask.any(axis=1)
    return [
        (losses * mask).sum() / (nonempty.sum() * mask.shape[1]),  # all steps of nonempty rows
        losses[nonempty].mean(),  # the empty rows dropped, the padding kept
        losses[0][mask[0]].mean() if mask[0].any() else np.nan,  # the first sequence only
        losses.ravel()[mask.astype(int).ravel()].mean(),  # the mask used as indices
    ]


#: how many real steps have a loss of exactly 0 in each case (two, so that dividing by
#: the count of nonzero losses differs from dividing by the count minus one)
ZERO_LOSSES = 2


def _as_number(value):
    """``value`` as a float when it is one real number (or a 1-entry array), else None."""
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "biuf":
        return float(value.reshape(()))
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    return None


@register
class MaskedMeanLoss(Exercise):
    """``masked_mean_loss(losses, mask) -> float``.

    Every case has a sequence without any real step, one without padding and
    padded ones, with losses at the padding steps as large as the others (the
    lesson names both), and two real steps whose loss is exactly 0. Each
    sequence's losses have their own level (spread over three decades), and
    the draw is repeated until every typical mistake and a few other wrong
    answers lie at least ten bands from the right answer (outside the
    precision zone) and three bands from each other, so that no mistake
    passes, or gets another's message or the precision message, by chance.
    The cases are small (at most 6 x 6), so that dividing by one real step
    more or less moves the mean by more than ten bands. Finally all losses are
    scaled so that the right answer lies between 0.003 and 0.037, at least
    0.003 from a multiple of 0.01: a result rounded to two decimals is then off
    by more than ten bands.
    """

    name = "masked_mean_loss"
    lesson = "06"
    input_names = ("losses", "mask")
    read_only_inputs = ("losses", "mask")

    def cases(self, rng):
        cases = []
        for padding in ("post", "pre", "post"):
            while True:
                batch, steps = distinct_sizes(rng, 2, 3, 6)
                lengths = _lengths_with_edges(rng, batch, steps)
                mask = padding_mask(lengths, steps, padding)
                levels = np.exp(rng.uniform(np.log(0.03), np.log(30.0), size=(batch, 1)))
                losses = levels * rng.uniform(0.5, 1.5, size=(batch, steps))
                zeros = rng.choice(np.flatnonzero(mask), size=ZERO_LOSSES, replace=False)
                losses.flat[zeros] = 0.0
                if not cases and not mask[0].any():
                    continue  # the first sequence is real in the first case, never all alone
                if self._separated(losses, mask):
                    break
            wrong = [v for _, v in _mean_loss_mistakes(losses, mask)]
            wrong = np.array([v for v in wrong if np.isfinite(v)]) / masked_mean(losses, mask)
            while True:  # until the right answer rounded to 2 decimals is far from every mistake
                target = (rng.integers(0, 4) + rng.uniform(0.3, 0.7)) / 100
                if np.all(np.abs(wrong * target - round(target, 2)) > 3 * 5e-3 * wrong * target):
                    break
            cases.append((losses * (target / masked_mean(losses, mask)), mask))
        return cases

    @staticmethod
    def _separated(losses, mask) -> bool:
        """Whether every wrong answer lies ten bands from the right one, three from the others.

        Ten bands keep a wrong answer out of the precision zone; three keep a
        mistake out of the band of a mistake with another message.
        """
        right = masked_mean(losses, mask)
        wrong = _mean_loss_mistakes(losses, mask)
        wrong += [(f"other {i}", v) for i, v in enumerate(_other_wrong_answers(losses, mask))]
        wrong = [(message, float(v)) for message, v in wrong if np.isfinite(v)]
        if any(abs(v - right) <= PRECISION_ZONE * tolerance(np.asarray(right)) for _, v in wrong):
            return False
        for i, (message_a, a) in enumerate(wrong):
            for message_b, b in wrong[i + 1 :]:
                band = max(float(tolerance(np.asarray(a))), float(tolerance(np.asarray(b))))
                if message_a != message_b and abs(a - b) <= 3 * band:
                    return False
        return True

    def judge(self, case, value):
        losses, mask = case
        number = _as_number(value)
        if number is not None and math.isnan(number):
            raise Failure(
                "the masked mean loss is nan (not a number), the result of a 0/0: every test "
                "has real steps, so mask.sum() is not 0, but a sequence may have none, and "
                "averaging each sequence first divides 0 by 0 there. Sum the losses at all the "
                "real steps and divide by mask.sum()."
            )
        if number is not None and math.isinf(number):
            raise Failure(
                f"the masked mean loss is {number}, the result of a division by zero: every "
                "test has real steps, so mask.sum() is not 0. Sum the losses at all the real "
                "steps and divide by mask.sum()."
            )
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
    ties differently are all tried. The first case is as large as the
    lesson's data (2048 lengths from
    :func:`~rnncourse.data.variable_length.sentence_lengths`, batches of 32),
    where any batching short of the fewest padding steps shows; three small
    ones follow.
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
        # first, one case as large as the lesson's data: there a partial sort (by rounded
        # lengths, within chunks, np.argpartition) always pads more than the fewest possible,
        # and a wrong batching never equals the original order by chance
        return [(sentence_lengths(LARGE_CASE, seed=rng), LARGE_BATCH), *cases]

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
            if len(sizes) <= 10:
                yours = f"yours have {sizes}"
            else:
                other = [size for size in sizes if size != batch_size]
                yours = f"{len(other)} of your {len(sizes)} have another size, e.g. {other[0]}"
            raise Failure(f"every batch needs batch_size = {batch_size} indices; {yours}.")
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
            groups = sorted(np.sort(b).tolist() for b in batches)
            if np.array_equal(np.array(groups), np.arange(n).reshape(k, batch_size)):
                raise Failure(
                    f"your batches are the data cut in its original order, which pads {yours} "
                    f"steps; the fewest possible is {fewest}. Sort the indices by length first "
                    "(np.argsort(lengths)), then cut."
                )
            raise Failure(
                f"your batches pad {yours} steps, {yours - fewest} more than needed: the fewest "
                f"possible is {fewest} (on {n} lengths in batches of {batch_size}). Sort all "
                "the indices by length (np.argsort(lengths)), then cut the sorted order into "
                "consecutive groups of batch_size."
            )
