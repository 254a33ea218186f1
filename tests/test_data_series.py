"""The CO2 loader, gap filling, and the windowing of lesson 10."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncourse.data import series as serieslib
from rnncourse.data.series import (
    Series,
    fill_gaps,
    load_co2,
    make_windows,
    mean_absolute_error,
    seasonal_naive_forecast,
    seq2seq_targets,
)

#: SHA-256 of the float64 bytes of the filled series: the same with statsmodels 0.14.5 and
#: pandas 2.2.2 (Colab) as with statsmodels 0.15.0 (checked when the loader was written)
WEEKLY_SHA256 = "866a09cd8e1611423abe60da5a4a70c1bd0d16628548798bbde9b7c98e4c30d0"


def test_weekly_series():
    co2 = load_co2("weekly")
    assert isinstance(co2, Series) and len(co2) == 2284
    assert co2.values.dtype == np.float64 and co2.values.shape == (2284,)
    assert co2.dates.dtype == np.dtype("datetime64[D]") and co2.dates.shape == (2284,)
    assert str(co2.dates[0]) == "1958-03-29" and str(co2.dates[-1]) == "2001-12-29"
    assert (np.diff(co2.dates) == np.timedelta64(7, "D")).all()  # increasing, evenly spaced
    assert not np.isnan(co2.values).any()
    assert co2.filled == 59
    assert co2.units == "ppm" and co2.frequency == "weekly"
    assert "Keeling" in co2.source and "statsmodels" in co2.source
    assert 313.0 <= co2.values.min() and co2.values.max() <= 374.0


def test_filled_weeks_are_interpolated_linearly():
    from statsmodels.datasets import co2 as raw

    observed = raw.load_pandas().data["co2"].to_numpy()
    filled = load_co2("weekly").values
    missing = np.flatnonzero(np.isnan(observed))
    assert len(missing) == 59
    assert np.array_equal(filled[~np.isnan(observed)], observed[~np.isnan(observed)])
    for t in missing:
        before = t - 1 - np.flatnonzero(~np.isnan(observed[:t][::-1]))[0]
        after = t + 1 + np.flatnonzero(~np.isnan(observed[t + 1 :]))[0]
        share = (t - before) / (after - before)
        expected = observed[before] + share * (observed[after] - observed[before])
        assert filled[t] == pytest.approx(expected, abs=1e-12)


def test_monthly_series_is_the_mean_of_its_weeks():
    weekly, monthly = load_co2("weekly"), load_co2("monthly")
    assert len(monthly) == 526 and monthly.dates.dtype == np.dtype("datetime64[M]")
    assert str(monthly.dates[0]) == "1958-03" and str(monthly.dates[-1]) == "2001-12"
    assert (np.diff(monthly.dates) == np.timedelta64(1, "M")).all()
    assert not np.isnan(monthly.values).any() and monthly.filled == 59
    in_june_1990 = weekly.dates.astype("datetime64[M]") == np.datetime64("1990-06")
    june = int(np.flatnonzero(monthly.dates == np.datetime64("1990-06"))[0])
    assert monthly.values[june] == pytest.approx(weekly.values[in_june_1990].mean())


def test_same_values_on_every_call_and_version():
    digest = hashlib.sha256(load_co2("weekly").values.tobytes()).hexdigest()
    assert digest == hashlib.sha256(load_co2("weekly").values.tobytes()).hexdigest()
    assert digest == WEEKLY_SHA256


def test_unknown_frequency():
    with pytest.raises(ValueError, match="unknown frequency 'daily'; choose one of weekly"):
        load_co2("daily")


def test_importing_the_data_package_stays_light():
    code = (
        "import sys, rnncourse.data, rnncourse.data.series; "
        "print(sorted(m for m in ('tensorflow', 'keras', 'statsmodels', 'pandas') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert serieslib.load_co2 is load_co2

    import rnncourse.data

    assert rnncourse.data.load_co2 is load_co2 and "load_co2" in rnncourse.data.__all__


def test_fill_gaps():
    values, count = fill_gaps([np.nan, 1.0, np.nan, np.nan, 4.0, np.nan])
    assert count == 4 and values.tolist() == [1.0, 1.0, 2.0, 3.0, 4.0, 4.0]
    with pytest.raises(ValueError, match="at least one observed"):
        fill_gaps([np.nan, np.nan])
    with pytest.raises(ValueError, match="one-dimensional"):
        fill_gaps(np.zeros((2, 2)))


def test_make_windows_example_and_no_leakage():
    x, y = make_windows(np.arange(6.0), window=3, horizon=2)
    assert x.tolist() == [[0, 1, 2], [1, 2, 3]] and y.tolist() == [[3, 4], [4, 5]]
    x, y = make_windows(np.arange(30.0), window=5)
    assert x.shape == (25, 5) and y.shape == (25, 1)
    assert (y[:, 0] == x[:, -1] + 1).all()  # the target comes right after the window


@settings(max_examples=40, deadline=None)
@given(
    length=st.integers(2, 40), window=st.integers(1, 10), horizon=st.integers(1, 5)
)
def test_windows_and_seq2seq_targets_agree(length, window, horizon):
    series = np.arange(length, dtype=float) ** 1.5
    if length < window + horizon:
        with pytest.raises(ValueError, match="has no window"):
            make_windows(series, window, horizon)
        with pytest.raises(ValueError, match="has no window"):
            seq2seq_targets(series, window, horizon)
        return
    x, y = make_windows(series, window, horizon)
    targets = seq2seq_targets(series, window, horizon)
    n = length - window - horizon + 1
    assert x.shape == (n, window) and y.shape == (n, horizon)
    assert targets.shape == (n, window, horizon)
    assert np.array_equal(targets[:, -1], y)
    assert np.array_equal(targets[:, :, 0], series[np.arange(n)[:, None] + np.arange(window) + 1])


def test_window_argument_checks():
    with pytest.raises(ValueError, match="window must be at least 1"):
        make_windows(np.zeros(5), 0)
    with pytest.raises(ValueError, match="horizon must be an int"):
        seq2seq_targets(np.zeros(5), 2, 1.5)
    with pytest.raises(ValueError, match="series must be one-dimensional"):
        make_windows(np.zeros((5, 1)), 2)


def test_seasonal_naive_forecast():
    history = np.arange(10.0)
    assert seasonal_naive_forecast(history, 4, 6).tolist() == [6, 7, 8, 9, 6, 7]
    assert seasonal_naive_forecast(history, 1, 3).tolist() == [9, 9, 9]  # naive
    assert seasonal_naive_forecast(history[:4], 4, 2).tolist() == [0, 1]
    with pytest.raises(ValueError, match="shorter than one period"):
        seasonal_naive_forecast(history[:3], 4, 2)


def test_mean_absolute_error():
    assert mean_absolute_error([1.0, 2.0], [2.0, 0.0]) == pytest.approx(1.5)
    with pytest.raises(ValueError, match="shapes differ"):
        mean_absolute_error([1.0, 2.0], [1.0])
