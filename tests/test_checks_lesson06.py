"""Lesson 06's checks: right answers pass, typical mistakes fail with their own message,
the stub is "not attempted", and every draw holds the edge cases the lesson names."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.checks import FAILED, NOT_ATTEMPTED, PASSED, check_function, get_exercise
from rnncourse.checks.exercise import NOTEBOOK_SEED
from rnncourse.data.variable_length import minimal_padded_steps, padded_steps

DRAWS = [NOTEBOOK_SEED, *range(40)]


def _stub(*args):
    raise NotImplementedError("write your code here")


@pytest.mark.parametrize("name", ["mask_from_lengths", "masked_mean_loss", "bucket_batches"])
def test_stub_is_not_attempted(name):
    verdict = check_function(name, _stub)
    assert verdict.status == NOT_ATTEMPTED, verdict


@pytest.mark.parametrize("name", ["mask_from_lengths", "masked_mean_loss", "bucket_batches"])
def test_odd_return_values_fail_without_crashing(name):
    for value in (None, "text", [1, "a"], np.zeros((2, 2, 2)), float("nan")):
        verdict = check_function(name, lambda *args, value=value: value)
        assert verdict.status == FAILED, (value, verdict)
        assert "could not be checked" not in verdict.message, (value, verdict)


# --------------------------------------------------------------------------- mask


def _mask(lengths, steps, padding="post"):
    positions = np.arange(steps)[None, :]
    lengths = np.asarray(lengths)[:, None]
    return positions < lengths if padding == "post" else positions >= steps - lengths


def _mask_negative_slice(lengths, steps, padding="post"):
    mask = np.zeros((len(lengths), steps), dtype=bool)
    for b, n in enumerate(lengths):
        if padding == "post":
            mask[b, :n] = True
        else:
            mask[b, -n:] = True  # n = 0: the whole row
    return mask


MASK_ANSWERS = {
    "right": (_mask, PASSED, "agree"),
    "inverted": (lambda *a: ~_mask(*a), FAILED, "inverted"),
    "ignores padding": (lambda n, s, p="post": _mask(n, s), FAILED, "the one for padding='post'"),
    "ints": (lambda *a: _mask(*a).astype(np.int8), FAILED, "not booleans"),
    "transposed": (lambda *a: _mask(*a).T, FAILED, "transposed"),
    "max(lengths) columns": (
        lambda n, s, p="post": _mask(n, int(np.max(n)), p),
        FAILED,
        "columns, not steps",
    ),
    "pre: -0 slices the whole row": (_mask_negative_slice, FAILED, "-0 is 0"),
    "pre: rows reversed": (
        lambda n, s, p="post": _mask(n, s)[::-1] if p == "pre" else _mask(n, s),
        FAILED,
        "rows (the batch axis) in reverse order",
    ),
    "list of lists": (lambda *a: _mask(*a).tolist(), PASSED, "agree"),
    "no return": (lambda *a: None, FAILED, "forget the `return`"),
}


@pytest.mark.parametrize("answer", MASK_ANSWERS)
def test_mask_from_lengths(answer):
    function, status, words = MASK_ANSWERS[answer]
    verdict = check_function("mask_from_lengths", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


def test_mask_cases_hold_the_edge_cases_on_every_draw():
    exercise = get_exercise("mask_from_lengths")
    for seed in DRAWS:
        cases = exercise.cases(np.random.default_rng(seed))
        assert {padding for _, _, padding in cases} == {"post", "pre"}
        for lengths, steps, _ in cases:
            assert 0 in lengths and len(lengths) != steps
            assert any(0 < n < steps for n in lengths)
        for padding in ("post", "pre"):
            assert any(p == padding and steps in n for n, steps, p in cases)  # a full row
            assert any(p == padding and max(n) < steps for n, steps, p in cases)  # none full


# --------------------------------------------------------------------------- masked mean


def _masked_mean(losses, mask):
    return float((losses * mask).sum() / mask.sum())


MEAN_ANSWERS = {
    "right": (_masked_mean, PASSED, "agree"),
    "all steps": (lambda x, m: (x * m).sum() / m.size, FAILED, "divided by all the steps"),
    "no mask": (lambda x, m: x.mean(), FAILED, "averaged every step"),
    "per sequence": (
        lambda x, m: np.nanmean((x * m).sum(1) / np.maximum(m.sum(1), 1e-300)),
        FAILED,
        "each sequence first",
    ),
    "a 1-element array": (lambda x, m: np.array([_masked_mean(x, m)]), PASSED, "agree"),
    "float16": (lambda x, m: np.float16(_masked_mean(x, m)), PASSED, "agree"),
    "count of nonzero losses": (
        lambda x, m: (x * m).sum() / np.count_nonzero(x * m),
        FAILED,
        "number of nonzero losses",
    ),
    "count plus one": (lambda x, m: x[m].sum() / (m.sum() + 1), FAILED, "real steps plus one"),
    "count minus one": (lambda x, m: x[m].sum() / (m.sum() - 1), FAILED, "real steps minus one"),
    "median": (lambda x, m: np.median(x[m]), FAILED, "median"),
    "per time step": (
        lambda x, m: np.mean((x * m).sum(0) / np.maximum(m.sum(0), 1)),
        FAILED,
        "each time step first",
    ),
    "nan": (lambda x, m: float("nan"), FAILED, "is nan"),
    "inf": (lambda x, m: np.inf, FAILED, "division by zero"),
    "per sequence, nan": (
        lambda x, m: np.mean((x * m).sum(1) / m.sum(1)),
        FAILED,
        "is nan",
    ),
    "rounded to 2 decimals": (lambda x, m: round(_masked_mean(x, m), 2), FAILED, ""),
    "a vector": (lambda x, m: (x * m).sum(1), FAILED, "one number"),
}


@pytest.mark.parametrize("answer", MEAN_ANSWERS)
def test_masked_mean_loss(answer):
    function, status, words = MEAN_ANSWERS[answer]
    with np.errstate(all="ignore"):
        verdict = check_function("masked_mean_loss", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


@pytest.mark.parametrize(
    "answer", ["count plus one", "median", "per time step", "rounded to 2 decimals"]
)
def test_masked_mean_verdicts_hold_on_every_draw(answer):
    function, status, words = MEAN_ANSWERS[answer]
    for seed in DRAWS:
        verdict = check_function("masked_mean_loss", function, seed=seed)
        assert verdict.status == status and words in verdict.message, (seed, verdict)
        assert "precision" not in verdict.message or answer.startswith("rounded"), (seed, verdict)


def test_masked_mean_cases_hold_the_edge_cases_and_separate_the_mistakes():
    exercise = get_exercise("masked_mean_loss")
    for seed in DRAWS:
        for losses, mask in exercise.cases(np.random.default_rng(seed)):
            assert mask.dtype == bool and losses.shape == mask.shape
            assert (~mask).all(axis=1).any() and mask.all(axis=1).any()  # empty and full rows
            assert np.all(losses[~mask] > 0)  # the padding's losses are not zero
            assert np.sum(losses[mask] == 0) == 2  # two real steps with a loss of exactly 0
            assert exercise._separated(losses, mask)
            right = _masked_mean(losses, mask)  # rounding to 2 decimals is 10 bands off
            assert abs(round(right, 2) - right) > 10 * 5e-3 * right


# --------------------------------------------------------------------------- bucketing


def _bucket(lengths, batch_size):
    order = np.argsort(lengths)
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def _shuffled_buckets(lengths, batch_size):
    rng = np.random.default_rng(0)
    batches = [rng.permutation(b) for b in _bucket(lengths, batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def _chunked(lengths, batch_size, chunk=64):
    out = []
    for start in range(0, len(lengths), chunk):
        part = np.arange(start, min(start + chunk, len(lengths)))
        part = part[np.argsort(lengths[part])]
        out += [part[i : i + batch_size] for i in range(0, len(part), batch_size)]
    return out


BUCKET_ANSWERS = {
    "right": (_bucket, PASSED, "agree"),
    "shuffled batches": (_shuffled_buckets, PASSED, "agree"),
    "list of lists": (lambda n, b: [x.tolist() for x in _bucket(n, b)], PASSED, "agree"),
    "unsorted": (
        lambda n, b: [np.arange(i, i + b) for i in range(0, len(n), b)],
        FAILED,
        "original order",
    ),
    "a generator": (lambda n, b: iter(_bucket(n, b)), FAILED, "expected a list"),
    "ragged": (lambda n, b: [np.argsort(n)[:1], np.argsort(n)[1:]], FAILED, "you returned 2"),
    "random batches": (
        lambda n, b: list(np.random.default_rng(0).permutation(len(n)).reshape(-1, b)),
        FAILED,
        "more than needed",
    ),
    "sorted by length // 2": (
        lambda n, b: list(np.argsort(n // 2, kind="stable").reshape(-1, b)),
        FAILED,
        "more than needed",
    ),
    "np.argpartition": (
        lambda n, b: list(np.argpartition(n, len(n) // 2).reshape(-1, b)),
        FAILED,
        "more than needed",
    ),
    "sorted within chunks of 64": (_chunked, FAILED, "more than needed"),
}


@pytest.mark.parametrize("answer", BUCKET_ANSWERS)
def test_bucket_batches(answer):
    function, status, words = BUCKET_ANSWERS[answer]
    verdict = check_function("bucket_batches", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


@pytest.mark.parametrize("answer", ["unsorted", "random batches", "sorted by length // 2"])
def test_bucket_verdicts_hold_on_every_draw(answer):
    function, status, words = BUCKET_ANSWERS[answer]
    for seed in DRAWS:
        verdict = check_function("bucket_batches", function, seed=seed)
        assert verdict.status == status and words in verdict.message, (seed, verdict)


def test_every_optimal_tie_break_passes():
    """Among equal lengths any choice is right: try random optimal answers on each draw."""
    exercise = get_exercise("bucket_batches")
    rng = np.random.default_rng(1)
    for seed in DRAWS[:10]:
        cases = exercise.cases(np.random.default_rng(seed))
        for lengths, batch_size in cases:
            keys = lengths + rng.random(len(lengths)) * 0.5  # random order among ties
            order = np.argsort(keys)
            answer = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
            exercise.judge((lengths, batch_size), np.array(answer))  # raises if refused


def test_bucket_cases_have_ties_and_sorting_matters():
    exercise = get_exercise("bucket_batches")
    for seed in DRAWS:
        lengths, batch_size = exercise.cases(np.random.default_rng(seed))[0]
        assert (len(lengths), batch_size) == (2048, 32)  # as large as the lesson's data
        for lengths, batch_size in exercise.cases(np.random.default_rng(seed)):
            n = len(lengths)
            assert n % batch_size == 0 and len(np.unique(lengths)) < n
            unsorted = [np.arange(i, i + batch_size) for i in range(0, n, batch_size)]
            assert padded_steps(lengths, unsorted) > minimal_padded_steps(lengths, batch_size)
