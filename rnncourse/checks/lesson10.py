"""Checks for lesson 10: forecasting a real time series.

Each wrong answer listed here differs from the right one in a single term, so that a match
names the mistake. The test series are N(0, 1) noise, so that two neighbouring values
differ by far more than the tolerance and a window shifted by one step cannot pass.
Every answer here only copies values of its input, so the arrays are compared with
``exact_copy=True``: a float32 copy passes, rounding or arithmetic on the values fails.

A mistake that reads past the end of the series has no value there (NaN in its array);
an answer that makes it gets a value there somehow (clipping the index, wrapping around),
so such a mistake is named when the answer agrees with it wherever it is defined.
"""

from __future__ import annotations

import numpy as np

from rnncourse.checks.core import (
    COPY_RTOL,
    Failure,
    compare_arrays,
    describe,
    distinct_sizes,
)
from rnncourse.checks.exercise import Exercise, register
from rnncourse.data.series import make_windows as ref_windows
from rnncourse.data.series import seasonal_naive_forecast as ref_seasonal
from rnncourse.data.series import seq2seq_targets as ref_seq2seq


def _as_array(value, what: str) -> np.ndarray:
    """The learner's value as a float64 array, or a Failure that says what it is.

    The inputs of every case are N(0, 1) noise, never whole numbers, so an integer
    array is always a truncated copy.
    """
    if value is None:
        raise Failure(f"{what} is None: did you forget the `return` statement?")
    if isinstance(value, (list, tuple)):
        try:
            value = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise Failure(f"{what} should be a NumPy array, but it is {describe(value)}.") from None
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
        raise Failure(f"{what} should be a NumPy array of numbers, but it is {describe(value)}.")
    if value.dtype.kind in "iu":
        raise Failure(
            f"your values are integers (dtype {value.dtype}) in {what}: the series holds "
            "decimals, and an integer array cuts them off. Did you build the array with an int "
            "dtype (`np.zeros(n, dtype=int)`, or `np.zeros_like` of an integer array)?"
        )
    return value.astype(np.float64)


def _matches(got: np.ndarray, value: np.ndarray) -> bool:
    """Whether ``got`` is a copy of ``value`` (float32 rounding allowed), NaN anywhere."""
    if got.shape != value.shape:
        return False
    known = np.isfinite(value)
    if not known.any():
        return False
    with np.errstate(invalid="ignore"):
        close = np.abs(got - value) <= COPY_RTOL * np.abs(value)
    return bool(np.all(close[known]))


def _name_partial(got: np.ndarray, right: np.ndarray, mistakes) -> None:
    """Raise the message of a mistake that ``got`` agrees with wherever the mistake has a value.

    For mistakes that read past the end of the input (NaN there): an answer that makes
    them fills those places somehow. A mistake whose defined values are all right ones
    is skipped (it cannot be told apart there).
    """
    for message, wrong in mistakes:
        wrong = np.asarray(wrong, dtype=np.float64)
        if wrong.shape != right.shape or np.all(np.isfinite(wrong)):
            continue
        known = np.isfinite(wrong)
        if _matches(right, np.where(known, wrong, np.nan)):
            continue
        if _matches(got, wrong):
            raise Failure(message)


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
    read_only_inputs = ("series",)

    def cases(self, rng):
        window_a, window_b = distinct_sizes(rng, 2, 3, 7)
        horizon = int(rng.integers(2, 5))
        cases = [
            # one step ahead, more windows than values in one (a square array of windows
            # is symmetric, and would pass transposed)
            (rng.normal(size=int(rng.integers(15, 22))), window_a, 1),
            # several steps ahead
            (rng.normal(size=int(rng.integers(14, 22))), window_b, horizon),
            # a window of one value
            (rng.normal(size=int(rng.integers(8, 12))), 1, 2),
        ]
        # a horizon as long as the window: inputs and targets of one shape
        same = int(rng.integers(2, 5))
        cases.append((rng.normal(size=int(rng.integers(12, 18))), same, same))
        # the shortest series: exactly one window and its targets, several steps ahead
        window, horizon = distinct_sizes(rng, 2, 2, 5)
        cases.append((rng.normal(size=window + horizon), window, horizon))
        # the shortest series, one step ahead
        window = int(rng.integers(2, 6))
        cases.append((rng.normal(size=window + 1), window, 1))
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
            what = (
                f"{len(value)} items (a tuple or list)"
                if isinstance(value, (tuple, list)) else describe(value)
            )
            raise Failure(f"return two arrays, (inputs, targets); you returned {what}.")
        got_inputs = _as_array(value[0], "the array of inputs")
        got_targets = _as_array(value[1], "the array of targets")
        if _matches(got_inputs, targets) and _matches(got_targets, inputs):
            raise Failure(
                "you returned (targets, inputs): return the tuple in the order "
                "(inputs, targets), the windows first."
            )
        n = len(inputs)
        i = np.arange(n)[:, None]
        k = np.arange(horizon)
        fewer = n - 1
        late = (
            "your targets are one step late: they start at series[i + window + 1], so the "
            "value right after the window is never a target. The first target is "
            "series[i + window]."
        )
        late_fewer = _gather(series, i[:fewer] + window + 1 + k)
        if fewer and _matches(got_inputs, inputs[:fewer]) and _matches(got_targets, late_fewer):
            # a loop that stops where the late targets run out
            raise Failure(late + " (You also made one window too few.)")
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
            (
                "your windows are reversed: inputs[i] = series[i : i + window], oldest value "
                "first, in the order of the series.",
                inputs[:, ::-1],
            ),
        ]
        compare_arrays(got_inputs, inputs, input_mistakes, what="the array of inputs",
                       exact_copy=True)
        _name_partial(got_targets, targets, [(late, _gather(series, i + window + 1 + k))])
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
            (late + " (You also made one window too few.)", late_fewer),
        ]
        compare_arrays(got_targets, targets, target_mistakes, what="the array of targets",
                       exact_copy=True)


# --------------------------------------------------------------------------- exercise 2


@register
class SeasonalNaiveForecast(Exercise):
    """``seasonal_naive_forecast(history, period, horizon) -> (horizon,)``."""

    name = "seasonal_naive_forecast"
    lesson = "10"
    input_names = ("history", "period", "horizon")
    read_only_inputs = ("history",)

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
            # one step ahead: still an array, shape (1,)
            (rng.normal(size=2 * period_a + 1), period_a, 1),
            # period 1: the naive forecast
            (rng.normal(size=int(rng.integers(5, 9))), 1, int(rng.integers(3, 6))),
        ]
        return cases

    def judge(self, case, value):
        history, period, horizon = case
        right = ref_seasonal(history, period, horizon)
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if number or (isinstance(value, np.ndarray) and value.ndim == 0):
            raise Failure(
                f"your forecast is a single number, not an array of shape ({horizon},): return "
                "shape (horizon,) for every horizon, (1,) for horizon=1 (e.g. "
                "`np.array([value])`, or index with an array of steps)."
            )
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
        ]
        no_cycle = (
            "your forecast goes back one period from each step (history[n + k - period]) "
            "without cycling: beyond the first period those values are not in the "
            "history; use k % period."
        )
        mistakes += [
            # history[-period + k]: from k = period on, a negative index no more
            (no_cycle, history[np.where(k < period, n - period + k, k - period)]),
            # history[k] where n - period + k runs past the end
            (no_cycle, history[np.where(k < period, n - period + k, k % n)]),
        ]
        _name_partial(got, right, [
            (
                "your forecast is one step late: step k repeats "
                "history[len(history) - period + (k % period)], not the value after it.",
                _gather(history, n - period + 1 + k % period),
            ),
        ])
        compare_arrays(got, right, mistakes, what="the forecast", exact_copy=True)


# --------------------------------------------------------------------------- exercise 3


@register
class Seq2SeqTargets(Exercise):
    """``seq2seq_targets(series, window, horizon) -> (n, window, horizon)``."""

    name = "seq2seq_targets"
    lesson = "10"
    input_names = ("series", "window", "horizon")
    read_only_inputs = ("series",)

    def cases(self, rng):
        window_a, horizon_a, window_b = distinct_sizes(rng, 3, 2, 6)
        window_a, horizon_a = sorted((window_a, horizon_a))
        cases = [
            # a horizon longer than the window
            (rng.normal(size=int(rng.integers(14, 20))), window_a, horizon_a),
            (rng.normal(size=int(rng.integers(12, 18))), window_b, 1),  # one step at each t
            # a window of one value
            (rng.normal(size=int(rng.integers(8, 12))), 1, int(rng.integers(2, 4))),
        ]
        # a horizon as long as the window
        same = int(rng.integers(2, 5))
        cases.append((rng.normal(size=int(rng.integers(10, 15))), same, same))
        # the shortest series: one window
        window, horizon = distinct_sizes(rng, 2, 2, 5)
        cases.append((rng.normal(size=window + horizon), window, horizon))
        return cases

    def judge(self, case, value):
        series, window, horizon = case
        right = ref_seq2seq(series, window, horizon)
        got = _as_array(value, "the array of targets")
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
        _name_partial(got, right, [
            (
                "your targets are one step late: the target after input t is "
                "series[i + t + 1 + k], not series[i + t + 2 + k].",
                _gather(series, i + t + 2 + k),
            ),
        ])
        compare_arrays(got, right, mistakes, what="the array of targets", exact_copy=True)
