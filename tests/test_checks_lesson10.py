"""Lesson 10's checks against right answers and the typical wrong ones.

Every wrong answer must fail with the message that names its mistake; the right answer must
pass; nothing a learner writes may make a check raise. The corpus (tests/corpus/lesson10.py)
runs many more answers on many seeds; these are the quick cases and the edge cases.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.checks import FAILED, NOT_ATTEMPTED, PASSED, check_function, get_exercise
from rnncourse.checks.exercise import NOTEBOOK_SEED
from rnncourse.data import series as serieslib

#: the draws on which a verdict must not change: the check cell's and fifty of the grader's
ALL_SEEDS = [NOTEBOOK_SEED, *range(50)]


def _stub(*args):
    raise NotImplementedError("write your code here")


NAMES = ["make_windows", "seasonal_naive_forecast", "seq2seq_targets"]


@pytest.mark.parametrize("name", NAMES)
def test_stub_is_not_attempted(name):
    verdict = check_function(name, _stub)
    assert verdict.status == NOT_ATTEMPTED, verdict


@pytest.mark.parametrize("name", NAMES)
def test_the_package_functions_pass(name):
    verdict = check_function(name, getattr(serieslib, name))
    assert verdict.status == PASSED, verdict


@pytest.mark.parametrize("seed", ALL_SEEDS)
def test_edge_cases_in_every_draw(seed):
    """Every edge case the exercise texts name is in every draw."""
    rng = np.random.default_rng(seed)
    windows = get_exercise("make_windows").cases(rng)
    assert any(h == 1 for _, _, h in windows) and any(h > 1 for _, _, h in windows)
    assert any(w == 1 for _, w, _ in windows)
    assert any(w == h for _, w, h in windows)
    assert any(len(s) == w + h and h == 1 for s, w, h in windows)  # one window, one step
    assert any(len(s) == w + h and h > 1 for s, w, h in windows)  # one window, several steps
    seasonal = get_exercise("seasonal_naive_forecast").cases(rng)
    assert any(h > p for _, p, h in seasonal) and any(h < p for _, p, h in seasonal)
    assert any(h == 1 and p > 1 for _, p, h in seasonal)
    assert any(len(s) == p for s, p, _ in seasonal) and any(p == 1 for _, p, _ in seasonal)
    assert any(len(s) % p for s, p, _ in seasonal if p > 1)  # not whole periods
    targets = get_exercise("seq2seq_targets").cases(rng)
    assert any(h == 1 for _, _, h in targets) and any(len(s) == w + h for s, w, h in targets)
    assert any(h > w for _, w, h in targets) and any(w == 1 for _, w, _ in targets)
    assert any(w == h for _, w, h in targets)
    assert any(w != h and h > 1 for _, w, h in targets)  # swapped axes show in the shape


def _pair(inputs, targets):
    return lambda series, window, horizon: (inputs(series, window, horizon),
                                            targets(series, window, horizon))


def _x(series, window, horizon):
    n = len(series) - window - horizon + 1
    return series[np.arange(n)[:, None] + np.arange(window)]


def _y(shift=0):
    def targets(series, window, horizon):
        n = len(series) - window - horizon + 1
        return series[np.arange(n)[:, None] + window + shift + np.arange(horizon)]
    return targets


WINDOW_ANSWERS = {
    "right": (_pair(_x, _y()), PASSED, "agree"),
    "right, float32 lists": (
        lambda s, w, h: ([list(r) for r in _x(s, w, h).astype(np.float32)],
                         [list(r) for r in _y()(s, w, h).astype(np.float32)]),
        PASSED,
        "agree",
    ),
    "leak": (_pair(_x, _y(-1)), FAILED, "leaks into its own input"),
    "targets flat": (lambda s, w, h: (_x(s, w, h), _y()(s, w, h)[:, 0]), FAILED, "(n, 1)"),
    "a dict": (lambda s, w, h: {"inputs": 1}, FAILED, "not a dict"),
    "None": (lambda s, w, h: None, FAILED, "two arrays"),
    "strings": (lambda s, w, h: ("a", "b"), FAILED, "NumPy array"),
}


@pytest.mark.parametrize("answer", WINDOW_ANSWERS)
def test_make_windows(answer):
    function, status, words = WINDOW_ANSWERS[answer]
    verdict = check_function("make_windows", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


SEASONAL_ANSWERS = {
    "right": (lambda h, p, k: h[len(h) - p + np.arange(k) % p], PASSED, "agree"),
    "naive": (lambda h, p, k: np.full(k, h[-1]), FAILED, "naive forecast"),
    "no cycling": (lambda h, p, k: h[-p:][:k], FAILED, "stops after one period"),
    "from the start": (lambda h, p, k: h[np.arange(k) % p], FAILED, "LAST season"),
    "one step early": (lambda h, p, k: h[len(h) - p - 1 + np.arange(k) % p], FAILED, "early"),
    "a list of strings": (lambda h, p, k: ["x"] * k, FAILED, "NumPy array"),
}


@pytest.mark.parametrize("answer", SEASONAL_ANSWERS)
def test_seasonal_naive_forecast(answer):
    function, status, words = SEASONAL_ANSWERS[answer]
    verdict = check_function("seasonal_naive_forecast", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


def _seq(shift=1):
    def targets(series, window, horizon):
        n = len(series) - window - horizon + 1
        index = np.arange(n)[:, None, None] + np.arange(window)[:, None] + np.arange(horizon)
        return series[index + shift]
    return targets


SEQ_ANSWERS = {
    "right": (_seq(), PASSED, "agree"),
    "right, float32": (lambda s, w, h: _seq()(s, w, h).astype(np.float32), PASSED, "agree"),
    "leak": (_seq(0), FAILED, "input t itself"),
    "last step only": (lambda s, w, h: _y()(s, w, h), FAILED, "last step only"),
    "swapped": (lambda s, w, h: np.swapaxes(_seq()(s, w, h), 1, 2), FAILED, "swapped"),
    "not returned": (lambda s, w, h: None, FAILED, "return"),
}


@pytest.mark.parametrize("answer", SEQ_ANSWERS)
def test_seq2seq_targets(answer):
    function, status, words = SEQ_ANSWERS[answer]
    verdict = check_function("seq2seq_targets", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


# --------------------------------------------------------------------------- every draw

def _windows(transform):
    def answer(series, window, horizon=1):
        both = np.lib.stride_tricks.sliding_window_view(series, window + horizon)
        return transform(both[:, :window]), transform(both[:, window:])
    return answer


def _seasonal(transform):
    return lambda h, p, k: transform(h[len(h) - p + np.arange(k) % p])


def _seq2seq(transform):
    return lambda s, w, h: transform(_seq()(s, w, h))


CHANGED = {
    "rounded to 2 decimals": lambda a: np.round(a, 2),
    "float16": lambda a: a.astype(np.float16),
    "times 1.002": lambda a: a * 1.002,
    "plus 1e-3": lambda a: a + 1e-3,
    "plus 0.01": lambda a: a + 0.01,
}
MAKERS = {"make_windows": _windows, "seasonal_naive_forecast": _seasonal,
          "seq2seq_targets": _seq2seq}


def _verdicts(name, function):
    """{(status, message)} over the notebook's seed and seeds 0-49."""
    return {
        (v.status, v.message)
        for v in (check_function(name, function, seed=seed) for seed in ALL_SEEDS)
    }


@pytest.mark.parametrize("name", NAMES)
def test_a_float32_copy_passes_on_every_draw(name):
    verdicts = _verdicts(name, MAKERS[name](lambda a: a.astype(np.float32)))
    assert {status for status, _ in verdicts} == {PASSED}, verdicts


@pytest.mark.parametrize("change", CHANGED)
@pytest.mark.parametrize("name", NAMES)
def test_changed_values_fail_on_every_draw(name, change):
    """These answers only copy values: rounding or any arithmetic on them is a mistake,
    whatever the draw, and the message says the values were changed."""
    verdicts = _verdicts(name, MAKERS[name](CHANGED[change]))
    assert {status for status, _ in verdicts} == {FAILED}, verdicts
    assert all("values are changed" in message for _, message in verdicts), verdicts


def _centre_in_place(answer):
    def spoiled(series, *rest):
        mean = series.mean()
        series -= mean  # "for numerical stability"
        return answer(series + mean, *rest)
    return spoiled


def _zero_afterwards(answer):
    def spoiled(series, *rest):
        result = answer(series.copy(), *rest)
        series[:] = 0.0
        return result
    return spoiled


@pytest.mark.parametrize("spoil", [_centre_in_place, _zero_afterwards])
@pytest.mark.parametrize("name", NAMES)
def test_an_input_modified_in_place_fails(name, spoil):
    first = get_exercise(name).input_names[0]
    verdicts = _verdicts(name, spoil(MAKERS[name](lambda a: np.array(a, copy=True))))
    assert len(verdicts) == 1, verdicts
    (status, message), = verdicts
    assert status == FAILED and f"modified `{first}` in place" in message, message


def _late_targets(series, window, horizon=1):
    """Targets from series[i + window + 1]: the index clipped at the end of the series."""
    n = len(series) - window - horizon + 1
    rows = np.arange(n)[:, None]
    index = np.minimum(rows + window + 1 + np.arange(horizon), len(series) - 1)
    return series[rows + np.arange(window)], series[index]


def _late_targets_ragged(series, window, horizon=1):
    """The same in a loop that stops where the late targets run out."""
    inputs, targets = [], []
    for i in range(len(series) - window - horizon):
        inputs.append(series[i : i + window])
        targets.append(series[i + window + 1 : i + window + 1 + horizon])
    return np.array(inputs).reshape(-1, window), np.array(targets).reshape(-1, horizon)


def _int_forecast(history, period, horizon):
    forecast = np.zeros(horizon, dtype=int)
    for k in range(horizon):
        forecast[k] = history[len(history) - period + k % period]
    return forecast


def _scalar_for_one_step(history, period, horizon):
    forecast = history[len(history) - period + np.arange(horizon) % period]
    return forecast[0] if horizon == 1 else forecast


def _late_season(history, period, horizon):
    return history[(len(history) - period + 1 + np.arange(horizon) % period) % len(history)]


def _seq2seq_late(series, window, horizon):
    n = len(series) - window - horizon + 1
    index = np.arange(n)[:, None, None] + np.arange(window)[:, None] + np.arange(horizon) + 2
    return series[np.minimum(index, len(series) - 1)]


MESSAGES = {
    "windows one step late": ("make_windows", _late_targets, "one step late"),
    "windows one step late, one too few": (
        "make_windows", _late_targets_ragged, "one step late"
    ),
    "windows swapped": (
        "make_windows", lambda s, w, h=1: _pair(_x, _y())(s, w, h)[::-1], "(targets, inputs)"
    ),
    "windows as integers": (
        "make_windows", lambda s, w, h=1: tuple(a.astype(int) for a in _pair(_x, _y())(s, w, h)),
        "your values are integers",
    ),
    "windows with a third item": (
        "make_windows", lambda s, w, h=1: (*_pair(_x, _y())(s, w, h), 3), "3 items"
    ),
    "windows with an extra axis": (
        "make_windows", lambda s, w, h=1: (_x(s, w, h), _y()(s, w, h)[:, :, None]),
        "the array of targets has shape",
    ),
    "forecast as integers": ("seasonal_naive_forecast", _int_forecast, "your values are integers"),
    "forecast a number for one step": (
        "seasonal_naive_forecast", _scalar_for_one_step, "shape (1,)"
    ),
    "forecast one step late": ("seasonal_naive_forecast", _late_season, "one step late"),
    "forecast without cycling, negative index": (
        "seasonal_naive_forecast",
        lambda h, p, k: np.array([h[-p + j] for j in range(k)]),
        "without cycling",
    ),
    "seq2seq one step late": ("seq2seq_targets", _seq2seq_late, "one step late"),
    "seq2seq as integers": (
        "seq2seq_targets", lambda s, w, h: _seq()(s, w, h).astype(np.int64),
        "your values are integers",
    ),
}


@pytest.mark.parametrize("answer", MESSAGES)
def test_named_mistakes_on_every_draw(answer):
    name, function, words = MESSAGES[answer]
    verdicts = _verdicts(name, function)
    assert {status for status, _ in verdicts} == {FAILED}, verdicts
    assert all(words in message for _, message in verdicts), verdicts


def test_messages_are_grammatical():
    """"the targets has" was a message; the arrays are named so that the verb agrees."""
    verdict = check_function(
        "make_windows", lambda s, w, h=1: (_x(s, w, h), _y()(s, w, h)[:, :, None])
    )
    assert verdict.status == FAILED and "the targets has" not in verdict.message, verdict
    assert verdict.message.startswith("the array of targets has shape"), verdict
    verdict = check_function("seq2seq_targets", lambda s, w, h: _seq()(s, w, h)[:, :, :, None])
    assert verdict.status == FAILED and "the targets has" not in verdict.message, verdict
    assert verdict.message.startswith("the array of targets has shape"), verdict
