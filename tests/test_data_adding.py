"""The adding problem: two markers, one per half; target their values' sum."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncourse.data.adding import BASELINE_MSE, generate_adding


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), length=st.integers(2, 60))
def test_markers_and_target(seed, length):
    data = generate_adding(20, length, seed=seed)
    assert data.inputs.shape == (20, length, 2) and data.inputs.dtype == np.float32
    assert data.targets.shape == (20,) and data.targets.dtype == np.float32
    values, markers = data.inputs[..., 0], data.inputs[..., 1]
    assert ((values >= 0) & (values < 1)).all()
    assert (markers.sum(axis=1) == 2).all()
    half = length // 2
    for row, (first, second) in zip(markers, data.positions, strict=True):
        assert np.flatnonzero(row).tolist() == [first, second]
        assert first < half <= second
    assert np.allclose(data.targets, (values * markers).sum(axis=1), atol=1e-6)


def test_determinism_and_baseline():
    a, b, c = (generate_adding(5000, 30, seed=s) for s in (1, 1, 2))
    assert np.array_equal(a.inputs, b.inputs) and not np.array_equal(a.inputs, c.inputs)
    assert abs(np.mean((a.targets - 1.0) ** 2) - BASELINE_MSE) < 0.01


@pytest.mark.parametrize("kwargs, message", [
    (dict(length=1), "length must be at least 2"),
    (dict(length=-5), "length must be at least 2"),
    (dict(n=-1), "n must be at least 0"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        generate_adding(**(dict(n=3, length=10, seed=0) | kwargs))
