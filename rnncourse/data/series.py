r"""A real time series that works offline, and the windowing of lesson 10 (pure NumPy).

**The data** (:func:`load_co2`): the concentration of carbon dioxide in the air at Mauna
Loa Observatory, Hawaii, in parts per million by volume (ppm), measured by the Scripps
Institution of Oceanography in air samples (statsmodels describes the data as continuous
measurements and cites the flask-sample record below), weekly from 29 March 1958 to
29 December 2001 (2284 weeks, 59 of them without a value). The numbers ship with
``statsmodels`` as ``statsmodels.datasets.co2`` (public domain; see
https://www.statsmodels.org/stable/datasets/generated/co2.html), which cites

    Keeling, C.D. and T.P. Whorf. 2004. Atmospheric CO2 concentrations derived from flask
    air samples at sites in the SIO network. In *Trends: A Compendium of Data on Global
    Change*. Carbon Dioxide Information Analysis Center, Oak Ridge National Laboratory,
    U.S. Department of Energy, Oak Ridge, Tennessee, U.S.A.

Nothing is downloaded: ``statsmodels`` reads a CSV file inside its own package.

**Gaps.** A missing week is filled by linear interpolation in time between the nearest
observed weeks before and after it (the weeks are evenly spaced, so this is linear
interpolation along the index); :attr:`Series.filled` says how many values were filled. A
monthly value is the mean of the (filled) weekly values whose dates fall in that calendar
month, so every month of the span has one.

**Windows** (:func:`make_windows`, :func:`seq2seq_targets`): for a series
:math:`s_0 \dots s_{N-1}`, a window of ``W`` inputs and a horizon of ``H`` steps,

.. math::

    x[i, t] = s_{i + t} \;(0 \le t < W), \qquad y[i, k] = s_{i + W + k} \;(0 \le k < H),
    \qquad 0 \le i < N - W - H + 1,

so every target comes after the last input of its window: no target leaks into its input.
For sequence-to-sequence training the target at every input step ``t`` is the next ``H``
values, :math:`Y[i, t, k] = s_{i + t + 1 + k}`; its last step is ``y``.

Example::

    >>> co2 = load_co2("monthly")
    >>> co2.values.shape, str(co2.dates[0]), str(co2.dates[-1]), co2.units
    ((526,), '1958-03', '2001-12', 'ppm')
    >>> x, y = make_windows(np.arange(6.0), window=3, horizon=2)
    >>> x.tolist(), y.tolist()
    ([[0.0, 1.0, 2.0], [1.0, 2.0, 3.0]], [[3.0, 4.0], [4.0, 5.0]])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import check_choice, check_int

FREQUENCIES = ("weekly", "monthly")

CO2_SOURCE = (
    "Mauna Loa Observatory, Hawaii: atmospheric CO2 from air samples, Scripps "
    "Institution of Oceanography (Keeling and Whorf, 2004); shipped with statsmodels as "
    "statsmodels.datasets.co2 (public domain)"
)


@dataclass(frozen=True, eq=False)
class Series:
    """A series with its dates.

    ``values``: float64, shape (n,), in ``units``; ``dates``: numpy datetime64, shape (n,),
    increasing and evenly spaced (``datetime64[D]``, 7 days apart, for weekly data;
    ``datetime64[M]``, one month apart, for monthly data); ``filled``: how many weekly
    values were missing and filled by interpolation before any averaging.
    """

    name: str
    values: np.ndarray
    dates: np.ndarray
    units: str
    frequency: str
    source: str
    filled: int

    def __len__(self) -> int:
        return len(self.values)


def fill_gaps(values) -> tuple[np.ndarray, int]:
    """Fill NaNs by linear interpolation along the index; return (filled copy, count).

    A NaN at either end (none in the CO2 data) takes the nearest observed value. Raises
    ValueError for an input that is not one-dimensional or has no observed value.
    """
    values = np.array(values, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"fill_gaps needs a one-dimensional series, got shape {values.shape}")
    missing = np.isnan(values)
    if missing.all():
        raise ValueError("fill_gaps needs at least one observed (non-NaN) value")
    index = np.arange(len(values))
    values[missing] = np.interp(index[missing], index[~missing], values[~missing])
    return values, int(missing.sum())


def load_co2(frequency: str = "monthly") -> Series:
    """The Mauna Loa CO2 series, in ppm, with its dates; gaps filled (see the module).

    ``frequency``: ``"weekly"`` (2284 values, 29 March 1958 to 29 December 2001, 59 of them
    filled) or ``"monthly"`` (526 calendar-month means, March 1958 to December 2001).
    Imports ``statsmodels`` (and pandas) on first use; raises ValueError for another
    frequency and ImportError, with the command to install it, without statsmodels.
    """
    check_choice("frequency", frequency, FREQUENCIES)
    try:
        from statsmodels.datasets import co2
    except ImportError as error:  # pragma: no cover - statsmodels is a dependency
        raise ImportError(
            "load_co2 needs statsmodels (pip install 'statsmodels>=0.14.2')"
        ) from error
    frame = co2.load_pandas().data
    weeks = frame.index.to_numpy().astype("datetime64[D]")
    values, filled = fill_gaps(frame["co2"].to_numpy())
    if not (np.diff(weeks) == np.timedelta64(7, "D")).all():  # pragma: no cover - data check
        raise RuntimeError("the statsmodels CO2 data are no longer weekly and evenly spaced")
    if frequency == "weekly":
        return Series("co2", values, weeks, "ppm", "weekly", CO2_SOURCE, filled)
    months = weeks.astype("datetime64[M]")
    first = months[0]
    slot = (months - first).astype(np.int64)
    sums = np.bincount(slot, weights=values)
    counts = np.bincount(slot)
    return Series(
        "co2",
        sums / counts,
        first + np.arange(len(counts)),
        "ppm",
        "monthly",
        CO2_SOURCE,
        filled,
    )


def _series_1d(series, name: str = "series") -> np.ndarray:
    array = np.asarray(series, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    return array



def _windowing(series, window, horizon):
    """The checked series, window and horizon, and the number of windows (>= 1)."""
    values = _series_1d(series)
    window = check_int("window", window, 1)
    horizon = check_int("horizon", horizon, 1)
    n = len(values) - window - horizon + 1
    if n < 1:
        raise ValueError(
            f"a series of {len(values)} values has no window of {window} inputs followed "
            f"by {horizon} targets"
        )
    return values, window, horizon, n


def make_windows(series, window: int, horizon: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Input windows and the values that follow them.

    Returns ``(inputs, targets)`` of shapes (n, window) and (n, horizon), with
    n = len(series) - window - horizon + 1: ``inputs[i] = series[i : i + window]`` and
    ``targets[i] = series[i + window : i + window + horizon]``. Raises ValueError when the
    series is shorter than window + horizon or an argument is not a positive int.
    """
    values, window, horizon, n = _windowing(series, window, horizon)
    index = np.arange(n)[:, None]
    return values[index + np.arange(window)], values[index + window + np.arange(horizon)]


def seq2seq_targets(series, window: int, horizon: int) -> np.ndarray:
    """Targets at every input step: shape (n, window, horizon), n as in :func:`make_windows`.

    ``targets[i, t, k] = series[i + t + 1 + k]``: after reading input ``t`` of window ``i``
    the model predicts the next ``horizon`` values. ``targets[:, -1]`` equals the targets of
    :func:`make_windows`. Raises ValueError as :func:`make_windows` does.
    """
    values, window, horizon, n = _windowing(series, window, horizon)
    index = np.arange(n)[:, None, None] + np.arange(window)[:, None] + np.arange(horizon) + 1
    return values[index]


def seasonal_naive_forecast(history, period: int, horizon: int) -> np.ndarray:
    """The seasonal-naive forecast of the ``horizon`` values after ``history``.

    Each future value repeats the last observed value of the same season:
    ``forecast[k] = history[len(history) - period + (k % period)]``, shape (horizon,). With
    ``period=1`` it is the naive forecast (the last value, repeated). Raises ValueError when
    the history is shorter than one period.
    """
    values = _series_1d(history, "history")
    period = check_int("period", period, 1)
    horizon = check_int("horizon", horizon, 1)
    if len(values) < period:
        raise ValueError(
            f"the history ({len(values)} values) is shorter than one period ({period})"
        )
    return values[len(values) - period + np.arange(horizon) % period]


def mean_absolute_error(truth, forecast) -> float:
    """The mean of |truth - forecast| over every entry, in the series' units."""
    truth = np.asarray(truth, dtype=np.float64)
    forecast = np.asarray(forecast, dtype=np.float64)
    if truth.shape != forecast.shape:
        raise ValueError(f"shapes differ: truth {truth.shape}, forecast {forecast.shape}")
    return float(np.abs(truth - forecast).mean())
