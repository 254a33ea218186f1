"""Prefix sums modulo n."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncourse.data.prefix_sums import generate_prefix_sums, one_hot, prefix_sums_mod


def test_syllabus_example():
    assert prefix_sums_mod([1, 2, 1], 3).tolist() == [1, 0, 1]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), length=st.integers(1, 50), modulus=st.integers(2, 9))
def test_targets_are_running_sums(seed, length, modulus):
    data = generate_prefix_sums(6, length, modulus, seed=seed)
    assert data.inputs.shape == data.targets.shape == (6, length)
    x, y = data.inputs, data.targets
    assert ((x >= 0) & (x < modulus)).all()
    assert np.array_equal(y[:, 0], x[:, 0])
    assert np.array_equal(y[:, 1:], (y[:, :-1] + x[:, 1:]) % modulus)


def test_long_sequences_and_one_hot():
    data = generate_prefix_sums(2, 5000, 3, seed=0, one_hot=True, one_hot_targets=True)
    assert data.inputs.shape == data.targets.shape == (2, 5000, 3)
    assert data.inputs.dtype == data.targets.dtype == np.float32
    ids = data.inputs.argmax(-1)
    assert np.array_equal(data.targets.argmax(-1), prefix_sums_mod(ids, 3))
    plain = generate_prefix_sums(2, 5000, 3, seed=0, one_hot=True)
    assert plain.targets.shape == (2, 5000) and np.issubdtype(plain.targets.dtype, np.integer)
    assert one_hot([0, 2], 3).tolist() == [[1, 0, 0], [0, 0, 1]]


def test_determinism():
    a, b, c = (generate_prefix_sums(4, 30, 5, seed=s) for s in (1, 1, 2))
    assert np.array_equal(a.inputs, b.inputs) and not np.array_equal(a.inputs, c.inputs)


@pytest.mark.parametrize("kwargs, message", [
    (dict(modulus=1), "modulus n must be at least 2"),
    (dict(length=0), "length must be at least 1"),
    (dict(n_sequences=-2), "n_sequences must be at least 0"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        generate_prefix_sums(**(dict(n_sequences=3, length=10, seed=0) | kwargs))


def test_bad_inputs_to_helpers():
    with pytest.raises(ValueError, match="values in 0..2"):
        prefix_sums_mod([0, 3], 3)
    with pytest.raises(ValueError, match="integers"):
        prefix_sums_mod([0.5], 3)
    with pytest.raises(ValueError, match="ids must lie in 0..1"):
        one_hot([2], 2)
