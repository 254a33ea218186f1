"""Checks for lesson 10: forecasting a real time series.

Each wrong answer listed here differs from the right one in a single term, so that a match
names the mistake. The test series are N(0, 1) noise, so that two neighbouring values
differ by far more than the tolerance and a window shifted by one step cannot pass.
"""

from __future__ import annotations

import numpy as np

from rnncourse.checks.core import Failure, compare_arrays, describe, distinct_sizes
from rnncourse.checks.exercise import Exercise, register
from rnncourse.data.series import make_windows as ref_windows
from rnncourse.data.series import seasonal_naive_forecast as ref_seasonal
from rnncourse.data.series import seq2seq_targets as ref_seq2seq


def _as_array(value, what: str) -> np.ndarray:
    """The learner's value as a float64 array, or a Failure that says what it is."""
    if value is None:
        raise Failure(f"{what} is None: did you forget the `return` statement?")
    if isinstance(value, (list, tuple)):
        try:
            value = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise Failure(f"{what} should be a NumPy array, but it is {describe(value)}.") from None
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
        raise Failure(f"{what} should be a NumPy array of numbers, but it is {describe(value)}.")
    return value.astype(np.float64)


def _gather(series: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``series[index]`` where every index is valid, NaN elsewhere (a mistake's value)."""
    ok = (index >= 0) & (index < len(series))
    return np.where(ok, series[np.clip(index, 0, len(series) - 1)], np.nan)


# --------------------------------------------------------------------------- exercise 1


@register
class MakeWindows(Exercise):
    """``make_windows(series, window, horizon) -> (inputs, targets)``."""

    name = "make_windows"
    lesson = "10"
    input_names = ("series", "window", "horizon")

    def cases(self, rng):
        window_a, window_b = distinct_sizes(rng, 2, 3, 7)
        horizon = int(rng.integers(2, 5))
        cases = [
            # one step ahead, several windows
            (rng.normal(size=int(rng.integers(14, 22))), window_a, 1),
            # several steps ahead
            (rng.normal(size=int(rng.integers(14, 22))), window_b, horizon),
            # a window of one value
            (rng.normal(size=int(rng.integers(8, 12))), 1, 2),
        ]
        # the shortest series: exactly one window and its targets
        window, horizon = distinct_sizes(rng, 2, 2, 5)
        cases.append((rng.normal(size=window + horizon), window, horizon))
        return cases

    def judge(self, case, value):
        series, window, horizon = case
        inputs, targets = ref_windows(series, window, horizon)
        if isinstance(value, dict):
            raise Failure(f"return a tuple (inputs, targets), not a dict; you returned "
                          f"{describe(value)}.")
        if isinstance(value, np.ndarray) and value.ndim >= 2 and len(value) == 2:
            value = (value[0], value[1])  # a tuple of two arrays of one shape arrives stacked
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            raise Failure(
                "return two arrays, (inputs, targets); you returned " + describe(value) + "."
            )
        got_inputs = _as_array(value[0], "inputs")
        got_targets = _as_array(value[1], "targets")
        n = len(inputs)
        i = np.arange(n)[:, None]
        k = np.arange(horizon)
        fewer = n - 1
        input_mistakes = [
            (
                f"your inputs have {window + 1} columns: a window holds `window` values, "
                f"series[i : i + window].",
                _gather(series, np.arange(n)[:, None] + np.arange(window + 1))
                if n else inputs,
            ),
            (
                "you made one window too few: there are len(series) - window - horizon + 1 of "
                "them (the last one ends with the last value of the series as its last target).",
                inputs[:fewer],
            ),
            ("your inputs are transposed: shape (n, window), one window per row.", inputs.T),
        ]
        compare_arrays(got_inputs, inputs, input_mistakes, what="inputs")
        target_mistakes = [
            (
                "your targets start with the last value of the input window: that value "
                "leaks into its own input. The first target is series[i + window].",
                _gather(series, i + window - 1 + k),
            ),
            (
                f"your targets have shape ({n},): keep the horizon axis, shape (n, horizon), "
                f"(n, 1) for one step.",
                targets[:, 0],
            ),
            (
                "your targets are transposed: shape (n, horizon), one row per window.",
                targets.T,
            ),
            (
                "you made one window too few: there are len(series) - window - horizon + 1 of "
                "them.",
                targets[:fewer],
            ),
        ]
        compare_arrays(got_targets, targets, target_mistakes, what="targets")


# --------------------------------------------------------------------------- exercise 2


@register
class SeasonalNaiveForecast(Exercise):
    """``seasonal_naive_forecast(history, period, horizon) -> (horizon,)``."""

    name = "seasonal_naive_forecast"
    lesson = "10"
    input_names = ("history", "period", "horizon")

    def cases(self, rng):
        period_a, period_b = distinct_sizes(rng, 2, 3, 7)
        cases = [
            # longer than one period, not a whole number of periods: the last season counts
            (rng.normal(size=3 * period_a + int(rng.integers(1, period_a))), period_a,
             2 * period_a + int(rng.integers(1, period_a))),
            # a horizon shorter than the period
            (rng.normal(size=2 * period_b + 1), period_b, period_b - 1),
            # a history of exactly one period, and a horizon of exactly one period
            (rng.normal(size=period_b), period_b, period_b),
            # period 1: the naive forecast
            (rng.normal(size=int(rng.integers(5, 9))), 1, int(rng.integers(3, 6))),
        ]
        return cases

    def judge(self, case, value):
        history, period, horizon = case
        right = ref_seasonal(history, period, horizon)
        got = _as_array(value, "the forecast")
        n = len(history)
        k = np.arange(horizon)
        last_season = history[n - period:]
        mistakes = [
            (
                "your forecast repeats the last value of the history: that is the naive "
                "forecast. The seasonal-naive forecast repeats the last *season*: "
                "history[len(history) - period + (k % period)].",
                np.full(horizon, history[-1]),
            ),
            (
                "every step of your forecast is history[-period]: step k must take the value "
                "of its own season, history[len(history) - period + (k % period)].",
                np.full(horizon, history[-period]),
            ),
            (
                "your forecast stops after one period: for a horizon longer than the period, "
                "repeat the last season (index k % period).",
                last_season[:horizon],
            ),
            (
                "you took the seasons from the start of the history: the forecast repeats "
                "the LAST season, history[len(history) - period + (k % period)].",
                history[k % period],
            ),
            (
                "your forecast is one step early: step k repeats "
                "history[len(history) - period + (k % period)], not the value before it.",
                _gather(history, n - period - 1 + k % period),
            ),
            (
                "your forecast goes back one period from each step (history[n + k - period]) "
                "without cycling: beyond the first period those values are not in the "
                "history; use k % period.",
                _gather(history, n - period + k),
            ),
        ]
        compare_arrays(got, right, mistakes, what="the forecast")


# --------------------------------------------------------------------------- exercise 3


@register
class Seq2SeqTargets(Exercise):
    """``seq2seq_targets(series, window, horizon) -> (n, window, horizon)``."""

    name = "seq2seq_targets"
    lesson = "10"
    input_names = ("series", "window", "horizon")

    def cases(self, rng):
        window_a, horizon_a, window_b = distinct_sizes(rng, 3, 2, 6)
        cases = [
            (rng.normal(size=int(rng.integers(14, 20))), window_a, horizon_a),
            (rng.normal(size=int(rng.integers(12, 18))), window_b, 1),  # one step at each t
        ]
        # the shortest series: one window
        window, horizon = distinct_sizes(rng, 2, 2, 5)
        cases.append((rng.normal(size=window + horizon), window, horizon))
        return cases

    def judge(self, case, value):
        series, window, horizon = case
        right = ref_seq2seq(series, window, horizon)
        got = _as_array(value, "the targets")
        n = right.shape[0]
        i = np.arange(n)[:, None, None]
        t = np.arange(window)[:, None]
        k = np.arange(horizon)
        _, last_targets = ref_windows(series, window, horizon)
        mistakes = [
            (
                "your targets at step t start with input t itself: the model would be asked "
                "for a value it has just read. The target after input t is series[i + t + 1 + k].",
                _gather(series, i + t + k),
            ),
            (
                "you returned the targets of the last step only (shape (n, horizon)): "
                "sequence-to-sequence training needs them at every input step, shape "
                "(n, window, horizon).",
                last_targets,
            ),
            (
                "every step of your targets holds the targets of the last step: step t "
                "predicts the values after input t, series[i + t + 1 + k].",
                np.broadcast_to(last_targets[:, None, :], right.shape),
            ),
            (
                "your last two axes are swapped: shape (n, window, horizon), the horizon last.",
                np.swapaxes(right, 1, 2),
            ),
            (
                "you made one window too few: there are len(series) - window - horizon + 1 "
                "windows.",
                right[: n - 1],
            ),
        ]
        compare_arrays(got, right, mistakes, what="the targets")
