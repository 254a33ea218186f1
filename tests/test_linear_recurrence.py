"""Linear recurrences h_t = a_t h_{t-1} + b_t: NumPy reference and keras.ops, loop and scan."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.environment import import_keras_quietly
from rnncourse.layers import linear_recurrence as keras_recurrence
from rnncourse.layers import log_linear_recurrence as keras_log_recurrence
from rnncourse.layers import min_rnn
from rnncourse.reference import associative_scan, combine, log_combine
from rnncourse.reference import linear_recurrence as numpy_recurrence
from rnncourse.reference import log_linear_recurrence as numpy_log_recurrence

keras = import_keras_quietly()
import tensorflow as tf  # noqa: E402

FLOAT32_TOL = dict(rtol=1e-5, atol=1e-5)


def _draw(steps, batch=3, features=4, seed=0, dtype="float32"):
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.0, 1.0, size=(batch, steps, features)).astype(dtype)
    b = rng.normal(size=(batch, steps, features)).astype(dtype)
    h0 = rng.normal(size=(batch, features)).astype(dtype)
    return a, b, h0


def _by_definition(a, b, h0):
    """The recurrence written out in float64, one step at a time."""
    h = np.zeros(a.shape[0:1] + a.shape[2:]) if h0 is None else np.array(h0, dtype=float)
    out = []
    for t in range(a.shape[1]):
        h = a[:, t].astype(float) * h + b[:, t]
        out.append(h)
    return np.stack(out, axis=1)


def test_combine_composes_two_steps_and_is_associative():
    rng = np.random.default_rng(1)
    steps = [tuple(rng.normal(size=(2, 5))) for _ in range(3)]
    h = rng.normal(size=5)
    a12, b12 = combine(steps[0], steps[1])
    after_two = steps[1][0] * (steps[0][0] * h + steps[0][1]) + steps[1][1]
    np.testing.assert_allclose(a12 * h + b12, after_two, rtol=1e-12)
    left = combine(combine(steps[0], steps[1]), steps[2])
    right = combine(steps[0], combine(steps[1], steps[2]))
    np.testing.assert_allclose(left, right, rtol=1e-12)
    assert not np.allclose(combine(steps[0], steps[1]), combine(steps[1], steps[0]))
    log_steps = [(np.log(np.abs(a)), np.log(np.abs(b))) for a, b in steps[:2]]
    expected = combine(*[(np.abs(a), np.abs(b)) for a, b in steps[:2]])
    np.testing.assert_allclose(np.exp(log_combine(*log_steps)), expected, rtol=1e-12)


@pytest.mark.parametrize("steps", [1, 2, 3, 7, 16, 33])
def test_reference_methods_agree_with_the_definition(steps):
    a, b, h0 = _draw(steps, dtype="float64")
    a = 0.5 + 0.5 * a  # the closed form divides by the products: keep them away from 0
    expected = _by_definition(a, b, h0)
    for method in ("loop", "scan", "cumprod"):
        np.testing.assert_allclose(numpy_recurrence(a, b, h0, method=method), expected,
                                   rtol=1e-10, atol=1e-12, err_msg=method)
    np.testing.assert_allclose(numpy_recurrence(a, b, method="scan"),
                               _by_definition(a, b, None), rtol=1e-10, atol=1e-12)


def test_reference_scan_is_a_prefix_scan_for_any_associative_operation():
    x = np.arange(1.0, 12.0)[None, :]
    (prefix_sums,) = associative_scan(lambda p, q: (p[0] + q[0],), (x,))
    np.testing.assert_array_equal(prefix_sums, np.cumsum(x, axis=1))
    (prefix_products,) = associative_scan(lambda p, q: (p[0] * q[0],), (x,), axis=1)
    np.testing.assert_array_equal(prefix_products, np.cumprod(x, axis=1))


@pytest.mark.parametrize("steps", [1, 2, 5, 64, 257])
def test_keras_scan_equals_loop_and_reference_to_float32_precision(steps):
    a, b, h0 = _draw(steps, seed=steps)
    expected = _by_definition(a, b, h0)
    scan = keras.ops.convert_to_numpy(keras_recurrence(a, b, h0, method="scan"))
    loop = keras.ops.convert_to_numpy(keras_recurrence(a, b, h0, method="loop"))
    assert scan.shape == loop.shape == a.shape and scan.dtype == np.float32
    np.testing.assert_allclose(scan, loop, **FLOAT32_TOL)
    np.testing.assert_allclose(scan, expected, **FLOAT32_TOL)
    if min_rnn.KERAS_SCAN_WORKS or steps > 1:  # Keras 3.13 recurses without end on length 1
        keras_scan = keras_recurrence(a, b, h0, method="keras_scan")
        np.testing.assert_allclose(keras_scan, expected, **FLOAT32_TOL)
    np.testing.assert_allclose(numpy_recurrence(a, b, h0, method="scan"), expected,
                               **FLOAT32_TOL)
    no_h0 = keras.ops.convert_to_numpy(keras_recurrence(a, b))
    np.testing.assert_allclose(no_h0, _by_definition(a, b, None), **FLOAT32_TOL)


@pytest.mark.parametrize("steps", [1, 2, 3, 6, 11, 40])
def test_scans_compile_with_tf_function_and_xla(steps):
    a, b, h0 = _draw(steps, seed=100 + steps)
    expected = _by_definition(a, b, h0)
    methods = ["scan", "loop"] + (["keras_scan"] if min_rnn.KERAS_SCAN_WORKS else [])
    for method in methods:
        compiled = tf.function(lambda a, b, h0, m=method: keras_recurrence(a, b, h0, method=m))
        np.testing.assert_allclose(compiled(a, b, h0), expected, **FLOAT32_TOL, err_msg=method)
    xla = tf.function(lambda a, b, h0: keras_recurrence(a, b, h0), jit_compile=True)
    np.testing.assert_allclose(xla(a, b, h0), expected, **FLOAT32_TOL)
    x = np.arange(1.0, steps + 1.0, dtype="float32")[None, :, None]
    (sums,) = min_rnn.odd_even_scan(lambda p, q: (p[0] + q[0],), (x,), axis=1)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(sums), np.cumsum(x, axis=1))


def test_compiled_with_unknown_batch_and_length():
    """With the length unknown while tracing, the scans fall back to the loop."""
    a, b, h0 = _draw(37, seed=5)
    spec = [tf.TensorSpec((None, None, 4)), tf.TensorSpec((None, None, 4)),
            tf.TensorSpec((None, 4))]
    for method in ("scan", "keras_scan", "loop"):
        compiled = tf.function(lambda a, b, h0, m=method: keras_recurrence(a, b, h0, method=m),
                               input_signature=spec)
        np.testing.assert_allclose(compiled(a, b, h0), _by_definition(a, b, h0),
                                   **FLOAT32_TOL, err_msg=method)


def test_gradients_of_scan_equal_gradients_of_loop():
    a, b, h0 = (tf.constant(v) for v in _draw(50, seed=7))
    weights = tf.constant(np.random.default_rng(8).normal(size=(3, 50, 4)).astype("float32"))
    grads = {}
    for method in ("scan", "loop"):
        with tf.GradientTape() as tape:
            tape.watch([a, b, h0])
            loss = tf.reduce_sum(keras_recurrence(a, b, h0, method=method) * weights)
        grads[method] = tape.gradient(loss, [a, b, h0])
    for g_scan, g_loop in zip(grads["scan"], grads["loop"]):
        np.testing.assert_allclose(g_scan, g_loop, rtol=1e-4, atol=1e-4)


def test_log_space_equals_direct_where_both_are_accurate():
    a, b, h0 = _draw(100, seed=9)
    a = 0.5 + 0.5 * a
    b, h0 = np.abs(b) + 0.1, np.abs(h0) + 0.1
    expected = np.log(_by_definition(a, b, h0))
    log_args = (np.log(a), np.log(b), np.log(h0))
    for method in ("scan", "loop"):
        np.testing.assert_allclose(numpy_log_recurrence(*log_args, method=method), expected,
                                   **FLOAT32_TOL)
        keras_log = keras.ops.convert_to_numpy(keras_log_recurrence(*log_args, method=method))
        np.testing.assert_allclose(keras_log, expected, **FLOAT32_TOL)
        direct = keras.ops.convert_to_numpy(keras_recurrence(a, b, h0, method=method))
        np.testing.assert_allclose(np.exp(keras_log), direct, **FLOAT32_TOL)
    no_h0 = np.log(_by_definition(a, b, None))
    np.testing.assert_allclose(keras_log_recurrence(*log_args[:2]), no_h0, **FLOAT32_TOL)
    np.testing.assert_allclose(numpy_log_recurrence(*log_args[:2]), no_h0, **FLOAT32_TOL)


def test_log_space_stays_accurate_where_the_product_underflows():
    """a_t = 0.5, b_t = 1 over 2000 float32 steps: h_t = 2 - 2^(1-t), so log h_t -> log 2."""
    steps = 2000
    a = np.full((1, steps, 1), 0.5, dtype="float32")
    b = np.ones_like(a)
    t = np.arange(1, steps + 1)
    exact = np.log(2.0 - 2.0 ** (1.0 - t))[None, :, None]

    products = np.cumprod(a, axis=1)
    first_zero = int(np.argmax(products[0, :, 0] == 0))
    assert 140 < first_zero < 160  # 2^-150 is below the smallest float32 (2^-149)
    closed_form = numpy_recurrence(a, b, method="cumprod")
    assert np.all(np.isfinite(closed_form[:, :100]))
    assert not np.any(np.isfinite(closed_form[:, first_zero:]))  # 0 * inf: NaN from here on

    log_h = keras.ops.convert_to_numpy(keras_log_recurrence(np.log(a), np.log(b)))
    np.testing.assert_allclose(log_h, exact, rtol=1e-5, atol=1e-6)
    for method in ("scan", "loop"):  # the Keras loop is slow eagerly over 2000 steps
        np.testing.assert_allclose(numpy_log_recurrence(np.log(a), np.log(b), method=method),
                                   exact, rtol=1e-5, atol=1e-6)
    # the pairwise scan never divides, so here the direct recurrence is fine too
    direct = keras.ops.convert_to_numpy(keras_recurrence(a, b))
    np.testing.assert_allclose(direct, np.exp(exact), rtol=1e-5)


def test_log_space_keeps_states_that_underflow_in_linear_space():
    """States around e^-120 are 0 in float32, but their logarithms are ordinary numbers."""
    steps = 300
    a = np.full((1, steps, 2), 0.9, dtype="float32")
    log_b = np.full_like(a, -120.0)
    t = np.arange(1, steps + 1)
    exact = -120.0 + np.log((1.0 - 0.9 ** t) / 0.1)[None, :, None]
    direct = keras.ops.convert_to_numpy(keras_recurrence(a, np.exp(log_b)))
    assert np.all(direct == 0.0)
    log_h = keras.ops.convert_to_numpy(keras_log_recurrence(np.log(a), log_b))
    np.testing.assert_allclose(log_h, np.broadcast_to(exact, a.shape), rtol=1e-6)


@pytest.mark.parametrize("function", [numpy_recurrence, keras_recurrence,
                                      numpy_log_recurrence, keras_log_recurrence])
def test_bad_arguments_raise_clear_errors(function):
    a, b, h0 = _draw(5)
    first = "log_a" if "log" in function.__name__ else "a"
    state = "log_h0" if "log" in function.__name__ else "h0"
    with pytest.raises(ValueError, match="method should be one of"):
        function(a, b, h0, method="parallel")
    with pytest.raises(ValueError, match=rf"{first} should have shape \(batch, time, features\)"):
        function(a[:, :, 0], b[:, :, 0])
    with pytest.raises(ValueError, match="should have the same shape"):
        function(a, b[:, :4])
    with pytest.raises(ValueError, match=rf"{state} should have shape \(batch, features\)"):
        function(a, b, h0[:, :3])
    with pytest.raises(ValueError, match=rf"{state} should have shape \(batch, features\)"):
        function(a, b, h0[0])
