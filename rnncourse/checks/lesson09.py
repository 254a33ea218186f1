"""Checks for lesson 09: language modelling and text generation.

Each wrong answer listed here differs from the right one in a single term,
so that a match names the mistake.
"""

from __future__ import annotations

import numpy as np

from rnncourse.checks.core import Failure, compare_arrays, describe, distinct_sizes
from rnncourse.checks.exercise import Exercise, register
from rnncourse.data.text import bigram_bits_per_char as ref_bigram
from rnncourse.data.text import loss_to_bits_per_char as ref_bits
from rnncourse.data.text import tempered_probabilities as ref_tempered

LN2 = np.log(2.0)


def _two_numbers(value, what: str) -> np.ndarray:
    """The learner's ``(bits, perplexity)`` as a float array of shape (2,), or Failure."""
    if isinstance(value, dict):
        raise Failure(
            f"return a tuple (bits, perplexity), not a dict; you returned {describe(value)}."
        )
    if value is None:
        raise Failure(f"{what} is None: did you forget the `return` statement?")
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
        raise Failure(f"return two numbers, (bits, perplexity); you returned {describe(value)}.")
    if value.size != 2:
        raise Failure(
            f"return two numbers, (bits, perplexity); you returned an array of "
            f"shape {tuple(value.shape)}."
        )
    return value.astype(np.float64).reshape(2)


def _closest_first(got, mistakes):
    """The mistakes ordered by how close their value is to ``got`` (one number).

    On a small case two mistakes can land within the tolerance of each other; the
    learner's value equals its own mistake to rounding, so the closest names it.
    """
    try:
        number = float(np.asarray(got, dtype=np.float64).reshape(()))
    except (TypeError, ValueError):
        return mistakes
    if not np.isfinite(number):
        return mistakes

    def distance(item):
        wrong = np.asarray(item[1], dtype=np.float64)
        if wrong.size != 1 or not np.isfinite(wrong).all():
            return np.inf
        return abs(float(wrong.reshape(())) - number)

    return sorted(mistakes, key=distance)


# --------------------------------------------------------------------------- exercise 1


@register
class LossToBitsPerChar(Exercise):
    """``loss_to_bits_per_char(losses) -> (bits, perplexity)``."""

    name = "loss_to_bits_per_char"
    lesson = "09"
    input_names = ("losses",)

    def cases(self, rng):
        cases = []
        for _ in range(3):
            batch, steps = distinct_sizes(rng, 2, 2, 9)
            # per-character cross-entropies in nats, spread like a half-trained model's,
            # with a mean of 2.5 to 4 nats: away from 1.9, where log2(mean) and mean / ln 10
            # (two of the mistakes) meet
            losses = rng.gamma(2.0, 0.8, size=(batch, steps)) + 0.05
            cases.append((losses * (rng.uniform(2.5, 4.0) / losses.mean()),))
        return cases

    def judge(self, case, value):
        (losses,) = case
        bits, perplexity = _two_numbers(value, "the result")
        mean = losses.mean()
        right_bits, right_perplexity = ref_bits(losses)
        bits_mistakes = [
            (
                "your bits equal the mean loss in nats: divide by ln 2 to change the base "
                "(bits = nats / ln 2).",
                mean,
            ),
            ("you multiplied by ln 2; divide by it instead (bits = nats / ln 2).", mean * LN2),
            (
                "you divided by ln 10 (a log10 conversion): bits are base 2, so divide by ln 2.",
                mean / np.log(10.0),
            ),
            (
                "you summed the loss over each sequence (per-sequence total) and averaged over "
                "the batch: bits per character is the mean over every character.",
                losses.sum(axis=1).mean() / LN2,
            ),
            (
                "you summed over the batch axis: take the mean over every character.",
                losses.sum(axis=0).mean() / LN2,
            ),
            ("you summed every loss instead of taking the mean per character.", losses.sum() / LN2),
            (
                "you took log2 of the loss; the loss is already a logarithm, only its base "
                "changes: divide the mean by ln 2.",
                np.log2(mean),
            ),
        ]
        compare_arrays(
            np.asarray(bits),
            np.asarray(right_bits),
            _closest_first(bits, bits_mistakes),
            what="bits per character",
        )
        perplexity_mistakes = [
            (
                "your perplexity is 2 ** (nats): use 2 ** bits (or e ** nats), the base must "
                "match the logarithm.",
                2.0**mean,
            ),
            (
                "your perplexity is e ** bits: use 2 ** bits (or e ** nats), the base must "
                "match the logarithm.",
                np.exp(right_bits),
            ),
            ("your perplexity is 10 ** bits: use 2 ** bits.", 10.0**right_bits),
            (
                "your perplexity is 2 ** -bits, the geometric mean probability; perplexity is "
                "its inverse, 2 ** bits.",
                2.0**-right_bits,
            ),
            (
                "you averaged exp(loss) over the characters; perplexity is the exponential of "
                "the mean loss, not the mean of the exponentials.",
                np.exp(losses).mean(),
            ),
            ("your perplexity equals the bits per character: it is 2 ** bits.", right_bits),
        ]
        compare_arrays(
            np.asarray(perplexity),
            np.asarray(right_perplexity),
            _closest_first(perplexity, perplexity_mistakes),
            what="the perplexity",
        )


# --------------------------------------------------------------------------- exercise 2


def _markov_ids(rng, vocab, length, transitions, start=0):
    ids = np.empty(length, dtype=np.int64)
    ids[0] = start
    cumulative = np.cumsum(transitions, axis=1)
    for t in range(1, length):
        row = cumulative[ids[t - 1]]
        ids[t] = min(np.searchsorted(row, rng.random() * row[-1], side="right"), vocab - 1)
    return ids


def _bigram_variants(train, test, vocab):
    """Wrong versions of the bigram bits per character, each with its message."""
    pairs = np.zeros((vocab, vocab))
    np.add.at(pairs, (train[:-1], train[1:]), 1.0)
    a, b = test[:-1], test[1:]
    right_p = (pairs + 1) / (pairs.sum(axis=1, keepdims=True) + vocab)
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = pairs / pairs.sum(axis=1, keepdims=True)
        unsmoothed = -np.log2(raw[a, b]).mean()
    all_counts = np.bincount(train, minlength=vocab)
    unigram = (all_counts + 1) / (all_counts.sum() + vocab)
    test_pairs = np.zeros((vocab, vocab))
    np.add.at(test_pairs, (a, b), 1.0)
    from_test = (test_pairs + 1) / (test_pairs.sum(axis=1, keepdims=True) + vocab)
    columns = (pairs + 1) / (pairs.sum(axis=0, keepdims=True) + vocab)
    return [
        (
            "you used the natural log: that is nats per character. Use log2 for bits.",
            -np.log(right_p[a, b]).mean(),
        ),
        (
            "you added 1 to the pair counts but not V to the denominator, so the rows do not "
            "sum to 1: p(b|a) = (n_ab + 1) / (n_a + V).",
            -np.log2(((pairs + 1) / pairs.sum(axis=1, keepdims=True).clip(1))[a, b]).mean(),
        ),
        (
            "you divided by the total number of pairs (a joint probability p(a, b)); the "
            "bigram model needs p(b|a) = (n_ab + 1) / (n_a + V), normalised per row.",
            -np.log2(((pairs + 1) / (pairs.sum() + vocab * vocab))[a, b]).mean(),
        ),
        (
            "you normalised the columns of the count matrix (p(a|b)); normalise each row: "
            "p(b|a) = (n_ab + 1) / (n_a + V).",
            -np.log2(columns[a, b]).mean(),
        ),
        (
            "you looked up P[next, previous]; the row is the previous character: "
            "P[test_ids[t], test_ids[t + 1]].",
            -np.log2(right_p[b, a]).mean(),
        ),
        (
            "your result ignores the previous character: that is the unigram model.",
            -np.log2(unigram[b]).mean(),
        ),
        (
            "you summed -log2 p over the pairs; return the mean per character.",
            -np.log2(right_p[a, b]).sum(),
        ),
        (
            "you divided the sum by len(test_ids); there are len(test_ids) - 1 pairs.",
            -np.log2(right_p[a, b]).sum() / len(test),
        ),
        (
            "you counted the pairs of test_ids: estimate the model on train_ids only, and "
            "measure it on test_ids.",
            -np.log2(from_test[a, b]).mean(),
        ),
        (
            "n_a should count the pairs that start with a; you counted every occurrence of a "
            "in train_ids, the last character (which has no successor) included.",
            -np.log2(((pairs + 1) / (all_counts[:, None] + vocab))[a, b]).mean(),
        ),
        (
            "without smoothing, a pair never seen in training gets probability 0 and "
            "-log2(0) = infinity: add 1 to every count (and V to each row's total).",
            unsmoothed,
        ),
    ]


@register
class BigramBitsPerChar(Exercise):
    """``bigram_bits_per_char(train_ids, test_ids, vocab_size) -> float``."""

    name = "bigram_bits_per_char"
    lesson = "09"
    input_names = ("train_ids", "test_ids", "vocab_size")

    def cases(self, rng):
        cases = []
        for vocab in distinct_sizes(rng, 3, 4, 9):
            transitions = rng.dirichlet(np.full(vocab, 0.4), size=vocab)
            transitions[:, vocab - 1] = 0.0  # the last id occurs in training only...
            train = _markov_ids(rng, vocab, int(rng.integers(150, 400)), transitions)
            train[-1] = vocab - 1  # ...as its last character, which starts no pair
            test = _markov_ids(
                rng,
                vocab,
                int(rng.integers(40, 90)),
                transitions,
                start=int(rng.integers(vocab - 1)),
            )
            # In the test text it starts every fifth pair: pairs never seen in training
            # (infinite cost without smoothing), and n_a = 0 for it, where counting every
            # occurrence instead of the pairs gives 1: a difference the check can see.
            test[2:-1:5] = vocab - 1
            cases.append((train, test, vocab))
        return cases

    def judge(self, case, value):
        train, test, vocab = case
        right = ref_bigram(train, test, vocab)
        if isinstance(value, (tuple, list)) or (isinstance(value, np.ndarray) and value.size != 1):
            raise Failure(
                f"return one number, the mean bits per character; you returned {describe(value)}."
            )
        if isinstance(value, np.ndarray):
            value = float(value.reshape(()))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not np.isfinite(value):
                raise Failure(
                    "your result is infinite or NaN: a pair that never occurs in "
                    "training gets probability 0 without smoothing. Add 1 to every "
                    "count and V to each row's total (add-one smoothing)."
                )
        compare_arrays(
            value,
            np.asarray(right),
            _closest_first(value, _bigram_variants(train, test, vocab)),
            what="the bits per character",
        )


# --------------------------------------------------------------------------- exercise 3


def _softmax(z, axis=-1):
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def _naive_softmax(z):
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)


def _global_max_softmax(z):
    with np.errstate(invalid="ignore", divide="ignore", under="ignore"):
        e = np.exp(z - z.max())
        return e / e.sum(axis=-1, keepdims=True)


def _same(got, wrong, rtol=1e-5, atol=1e-6) -> bool:
    """``got`` matches ``wrong``, NaNs and infinities in the same places included."""
    return got.shape == wrong.shape and bool(
        np.allclose(got, wrong, rtol=rtol, atol=atol, equal_nan=True)
    )


@register
class TemperedProbabilities(Exercise):
    """``tempered_probabilities(logits, temperature) -> softmax(logits / T)`` per row."""

    name = "tempered_probabilities"
    lesson = "09"
    input_names = ("logits", "temperature")

    def cases(self, rng):
        cases = []
        for temperature in (0.5, 2.0, 1.5):
            batch, vocab = distinct_sizes(rng, 2, 2, 9)
            cases.append((rng.normal(0.0, 2.0, size=(batch, vocab)), temperature))
        # Large logits, last and in every draw: exp overflows without the max subtracted,
        # and the rows sit far apart, so subtracting one global max underflows whole rows.
        # The spread within a row is moderate, so the rows are not one-hot.
        batch, vocab = distinct_sizes(rng, 2, 3, 8)
        offsets = np.where(np.arange(batch) % 2 == 0, 900.0, -900.0)[:, None]
        cases.append((offsets + rng.normal(0.0, 2.0, size=(batch, vocab)), 0.8))
        return cases

    def judge(self, case, value):
        logits, temperature = case
        right = ref_tempered(logits, temperature)
        if isinstance(value, np.ndarray) and value.shape == right.shape:
            got = value.astype(np.float64)
            if _same(got, _global_max_softmax(logits / temperature)) and not _same(got, right):
                raise Failure(
                    "rows far below the others came out as NaN: you subtracted the "
                    "largest logit of the whole array; subtract each row's own "
                    "maximum (max(axis=-1, keepdims=True))."
                )
            if not np.all(np.isfinite(got)) and np.abs(logits).max() > 100:
                raise Failure(
                    "with logits near ±900 your result holds NaN or infinity: "
                    "exp overflows. Subtract each row's maximum from logits / T "
                    "before exp; softmax does not change when you shift a row."
                )
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            probabilities = _softmax(logits)
            mistakes = [
                (
                    "you multiplied the logits by T; the temperature divides them: "
                    "softmax(logits / T).",
                    _softmax(logits * temperature),
                ),
                (
                    "the temperature has no effect on your result: divide the logits by T "
                    "before the softmax.",
                    probabilities,
                ),
                (
                    "you raised the probabilities to the power 1/T but did not renormalise: "
                    "each row must sum to 1 again (p ** (1/T) / sum is exactly softmax(logits / "
                    "T)).",
                    probabilities ** (1.0 / temperature),
                ),
                (
                    "you divided the probabilities by T: the temperature goes inside the "
                    "softmax, softmax(logits / T).",
                    probabilities / temperature,
                ),
                (
                    "your rows do not sum to 1: you normalised over the batch axis (axis 0); "
                    "take the softmax over the last axis.",
                    _softmax(logits / temperature, axis=0),
                ),
                (
                    "you returned the scaled logits logits / T; apply the softmax to them.",
                    logits / temperature,
                ),
                (
                    "you returned log-probabilities; return the probabilities themselves.",
                    np.log(np.maximum(right, 1e-300)),
                ),
            ]
        # A right answer in float32 rounds logits / T to about 6e-8 of its size (near 1000:
        # about 1e-4 of each probability); every mistake above changes far more.
        spread = (
            8
            * float(np.finfo(np.float32).eps)
            * max(1.0, float(np.abs(logits).max() / temperature))
        )
        compare_arrays(
            value,
            right,
            mistakes,
            what="the tempered probabilities",
            rtol=max(1e-5, spread),
            atol=max(1e-6, spread),
        )
