"""Lesson 10's checks against right answers and the typical wrong ones.

Every wrong answer must fail with the message that names its mistake; the right answer must
pass; nothing a learner writes may make a check raise. The corpus (tests/corpus/lesson10.py)
runs many more answers on many seeds; these are the quick cases and the edge cases.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.checks import FAILED, NOT_ATTEMPTED, PASSED, check_function, get_exercise
from rnncourse.data import series as serieslib


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


@pytest.mark.parametrize("seed", [0, 1, 2, 20261121])
def test_edge_cases_in_every_draw(seed):
    rng = np.random.default_rng(seed)
    windows = get_exercise("make_windows").cases(rng)
    assert any(h == 1 for _, _, h in windows) and any(h > 1 for _, _, h in windows)
    assert any(w == 1 for _, w, _ in windows)
    assert any(len(s) == w + h for s, w, h in windows)  # exactly one window
    seasonal = get_exercise("seasonal_naive_forecast").cases(rng)
    assert any(h > p for _, p, h in seasonal) and any(h < p for _, p, h in seasonal)
    assert any(len(s) == p for s, p, _ in seasonal) and any(p == 1 for _, p, _ in seasonal)
    assert any(len(s) % p for s, p, _ in seasonal if p > 1)  # not whole periods
    targets = get_exercise("seq2seq_targets").cases(rng)
    assert any(h == 1 for _, _, h in targets) and any(len(s) == w + h for s, w, h in targets)
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
