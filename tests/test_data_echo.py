"""The echo task: targets are the delayed inputs; windows continue each other."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncourse.data.echo import (
    EchoStream,
    border_crossing_fraction,
    echo_targets,
    generate_echo,
)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), batch=st.integers(1, 4), window=st.integers(1, 8),
       n_windows=st.integers(1, 6), k=st.integers(1, 10))
def test_targets_are_the_inputs_delayed(seed, batch, window, n_windows, k):
    if k >= window * n_windows:
        with pytest.raises(ValueError, match="echo_step"):
            EchoStream(batch, window, k, n_windows, seed=seed)
        return
    stream = EchoStream(batch, window, k, n_windows, seed=seed)
    x, y = stream.stream_inputs, stream.stream_targets
    assert np.array_equal(y[:, k:], x[:, :-k])
    assert not y[:, :k].any()
    inputs, targets = stream.as_arrays()
    assert inputs.shape == targets.shape == (n_windows, batch, window, 1)
    assert inputs.dtype == np.float32
    # windows in order reassemble the streams
    assert np.array_equal(inputs[..., 0].transpose(1, 0, 2).reshape(batch, -1), x)
    assert np.array_equal(targets[..., 0].transpose(1, 0, 2).reshape(batch, -1), y)


def test_windows_iterate_in_order_and_flag_the_start():
    stream = EchoStream(3, 5, 2, 4, seed=0)
    windows = list(stream.windows())
    assert [w.index for w in windows] == [0, 1, 2, 3]
    assert [w.starts_stream for w in windows] == [True, False, False, False]
    assert np.array_equal(np.concatenate([w.inputs for w in windows], axis=1)[..., 0],
                          stream.stream_inputs)
    assert set(np.unique(stream.stream_inputs)) <= {0.0, 1.0}


def test_new_stream_draws_fresh_bits_reproducibly():
    a, b = EchoStream(2, 50, 3, 4, seed=1), EchoStream(2, 50, 3, 4, seed=1)
    first = a.stream_inputs.copy()
    a.new_stream()
    b.new_stream()
    assert not np.array_equal(first, a.stream_inputs)
    assert np.array_equal(a.stream_inputs, b.stream_inputs)
    assert a.streams_drawn == 2


def test_generate_echo_is_deterministic_and_balanced():
    x1, y1 = generate_echo(5, 20, 3, 100, seed=4)
    x2, _ = generate_echo(5, 20, 3, 100, seed=4)
    x3, _ = generate_echo(5, 20, 3, 100, seed=5)
    assert np.array_equal(x1, x2) and not np.array_equal(x1, x3)
    assert 0.45 < x1.mean() < 0.55
    assert y1.shape == (100, 5, 20, 1)


def test_targets_cross_window_borders():
    stream = EchoStream(1, 4, 3, 2, seed=0)
    second = stream.window_at(1)
    first = stream.window_at(0)
    # target at step 0 of window 1 is input at step 1 of window 0
    assert second.targets[0, 0, 0] == first.inputs[0, 1, 0]


def test_echo_targets_function_and_border_fraction():
    assert echo_targets(np.array([1, 0, 1, 1]), 1).tolist() == [0, 1, 0, 1]
    assert echo_targets(np.array([1, 1]), 5).tolist() == [0, 0]
    assert border_crossing_fraction(20, 3) == 3 / 20
    assert border_crossing_fraction(2, 5) == 1.0


@pytest.mark.parametrize(
    "args, message",
    [
        ((0, 4, 1, 3), "batch_size must be at least 1"),
        ((2, 0, 1, 3), "window must be at least 1"),
        ((2, 4, 0, 3), "echo_step must be at least 1"),
        ((2, 4, -1, 3), "echo_step must be at least 1"),
        ((2, 4, 1, 0), "n_windows must be at least 1"),
        ((2, 4, 12, 3), "smaller than the stream length"),
    ],
)
def test_bad_arguments(args, message):
    with pytest.raises(ValueError, match=message):
        EchoStream(*args, seed=0)


def test_bad_window_index_and_targets():
    with pytest.raises(ValueError, match="index must be at most 2"):
        EchoStream(1, 4, 1, 3, seed=0).window_at(3)
    with pytest.raises(ValueError, match="echo_step"):
        echo_targets(np.zeros(3), 0)
