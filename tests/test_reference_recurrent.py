"""NumPy reference RNN / LSTM / GRU: finite differences, Keras outputs and GradientTape."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.environment import import_keras_quietly
from rnncourse.reference import (
    gru_backward,
    gru_forward,
    gru_param_count,
    gru_step,
    lstm_backward,
    lstm_forward,
    lstm_param_count,
    lstm_step,
    numerical_gradient,
    relative_error,
    rnn_backward,
    rnn_forward,
    rnn_step,
    simple_rnn_param_count,
)

keras = import_keras_quietly()
import tensorflow as tf  # noqa: E402

BATCH, STEPS, FEATURES, UNITS = 2, 4, 3, 5


def _weights(rng, gates, bias_shape):
    return {
        "kernel": rng.normal(0, 0.6, size=(FEATURES, gates * UNITS)),
        "recurrent_kernel": rng.normal(0, 0.6, size=(UNITS, gates * UNITS)),
        "bias": rng.normal(0, 0.3, size=bias_shape),
    }


class Problem:
    """A cell's reference forward/backward written uniformly for the tests."""

    def __init__(self, kind, rng):
        self.kind = kind
        self.x = rng.normal(size=(BATCH, STEPS, FEATURES))
        self.states = [rng.normal(size=(BATCH, UNITS)) for _ in range(2 if kind == "lstm" else 1)]
        gates, bias_shape = {"rnn": (1, (UNITS,)), "lstm": (4, (4 * UNITS,)),
                             "gru": (3, (2, 3 * UNITS))}[kind]
        self.weights = _weights(rng, gates, bias_shape)
        self.upstream = rng.normal(size=(BATCH, STEPS, UNITS))
        self.upstream_last = [rng.normal(size=(BATCH, UNITS)) for _ in self.states]

    def forward(self):
        w = self.weights
        args = (w["kernel"], w["recurrent_kernel"], w["bias"])
        if self.kind == "rnn":
            h = rnn_forward(self.x, self.states[0], *args)
            return h, [h[:, -1]]
        if self.kind == "lstm":
            h, c = lstm_forward(self.x, *self.states, *args)
            return h, [h[:, -1], c[:, -1]]
        h = gru_forward(self.x, self.states[0], *args)
        return h, [h[:, -1]]

    def loss(self):
        h, finals = self.forward()
        return float(np.sum(h * self.upstream)) + sum(
            float(np.sum(f * g)) for f, g in zip(finals, self.upstream_last, strict=True)
        )

    def backward(self):
        """Gradients keyed kernel, recurrent_kernel, bias, x, state0[, state1]."""
        w = self.weights
        args = (w["kernel"], w["recurrent_kernel"], w["bias"])
        if self.kind == "rnn":
            h = rnn_forward(self.x, self.states[0], *args)
            g = rnn_backward(self.upstream, self.x, self.states[0], h, w["kernel"],
                             w["recurrent_kernel"], dh_last=self.upstream_last[0])
            return {"kernel": g["W_xh"], "recurrent_kernel": g["W_hh"], "bias": g["b_h"],
                    "x": g["x"], "state0": g["h0"]}
        if self.kind == "lstm":
            *_, cache = lstm_forward(self.x, *self.states, *args, return_cache=True)
            g = lstm_backward(self.upstream, cache, *self.upstream_last)
            return {**g, "state0": g["h0"], "state1": g["c0"]}
        _, cache = gru_forward(self.x, self.states[0], *args, return_cache=True)
        g = gru_backward(self.upstream, cache, self.upstream_last[0])
        return {**g, "state0": g["h0"]}

    def arrays(self):
        return {**self.weights, "x": self.x,
                **{f"state{i}": s for i, s in enumerate(self.states)}}

    def keras_layer(self):
        layer_class = {"rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM,
                       "gru": keras.layers.GRU}[self.kind]
        layer = layer_class(UNITS, return_sequences=True, return_state=True, dtype="float64")
        layer.build((None, None, FEATURES))
        layer.set_weights([self.weights[k] for k in ("kernel", "recurrent_kernel", "bias")])
        return layer


KINDS = ["rnn", "lstm", "gru"]


@pytest.mark.parametrize("kind", KINDS)
def test_backward_matches_central_differences(kind):
    problem = Problem(kind, np.random.default_rng(1))
    analytic = problem.backward()
    for name, array in problem.arrays().items():
        numeric = numerical_gradient(problem.loss, array, eps=1e-6)
        assert relative_error(analytic[name], numeric) < 1e-7, name


@pytest.mark.parametrize("kind", KINDS)
def test_forward_and_backward_match_keras_and_gradient_tape(kind):
    problem = Problem(kind, np.random.default_rng(2))
    layer = problem.keras_layer()
    x = tf.constant(problem.x)
    states = [tf.Variable(s) for s in problem.states]
    with tf.GradientTape() as tape:
        outputs = layer(x, initial_state=states)
        sequence, finals = outputs[0], outputs[1:]
        loss = tf.reduce_sum(sequence * problem.upstream) + sum(
            tf.reduce_sum(f * g) for f, g in zip(finals, problem.upstream_last, strict=True)
        )
    h, _ = problem.forward()
    np.testing.assert_allclose(sequence.numpy(), h, atol=1e-10)
    tape_grads = tape.gradient(loss, [*layer.trainable_variables, *states])
    ours = problem.backward()
    names = ["kernel", "recurrent_kernel", "bias"] + [f"state{i}" for i in range(len(states))]
    for name, expected in zip(names, tape_grads, strict=True):
        np.testing.assert_allclose(ours[name], expected.numpy(), atol=1e-9, err_msg=name)


def test_step_functions_agree_with_forward_passes():
    problem = Problem("lstm", np.random.default_rng(3))
    w = problem.weights
    h, c = lstm_step(problem.x[:, 0], *problem.states, w["kernel"], w["recurrent_kernel"],
                     w["bias"])
    h_all, c_all = lstm_forward(problem.x, *problem.states, w["kernel"],
                                w["recurrent_kernel"], w["bias"])
    np.testing.assert_allclose(h, h_all[:, 0])
    np.testing.assert_allclose(c, c_all[:, 0])
    gru = Problem("gru", np.random.default_rng(3))
    w = gru.weights
    h = gru_step(gru.x[:, 0], gru.states[0], w["kernel"], w["recurrent_kernel"], w["bias"])
    np.testing.assert_allclose(h, gru_forward(gru.x, gru.states[0], w["kernel"],
                                              w["recurrent_kernel"], w["bias"])[:, 0])


def test_gru_keeps_the_state_when_the_update_gate_is_open():
    rng = np.random.default_rng(4)
    bias = np.zeros((2, 3 * UNITS))
    bias[0, :UNITS] = 50.0  # z = 1: h_t = h_{t-1}
    h0 = rng.normal(size=(1, UNITS))
    h = gru_step(rng.normal(size=(1, FEATURES)), h0, rng.normal(size=(FEATURES, 3 * UNITS)),
                 rng.normal(size=(UNITS, 3 * UNITS)), bias)
    np.testing.assert_allclose(h, h0, atol=1e-12)


def test_lstm_forget_gate_closed_and_input_gate_open_writes_the_candidate():
    bias = np.zeros(4 * UNITS)
    bias[:UNITS] = 50.0  # i = 1
    bias[UNITS:2 * UNITS] = -50.0  # f = 0
    kernel = np.zeros((FEATURES, 4 * UNITS))
    recurrent = np.zeros((UNITS, 4 * UNITS))
    _, c = lstm_step(np.ones((1, FEATURES)), np.ones((1, UNITS)), 5 * np.ones((1, UNITS)),
                     kernel, recurrent, bias)
    np.testing.assert_allclose(c, np.zeros((1, UNITS)), atol=1e-12)  # tanh(0) written, 5 gone


def test_the_existing_step_is_unchanged_and_backward_returns_total_state_gradients():
    problem = Problem("rnn", np.random.default_rng(5))
    w = problem.weights
    h1 = rnn_step(problem.x[:, 0], problem.states[0], w["kernel"], w["recurrent_kernel"],
                  w["bias"])
    np.testing.assert_allclose(h1, np.tanh(problem.x[:, 0] @ w["kernel"]
                                           + problem.states[0] @ w["recurrent_kernel"]
                                           + w["bias"]))
    h = rnn_forward(problem.x, problem.states[0], w["kernel"], w["recurrent_kernel"], w["bias"])
    upstream = np.zeros_like(h)
    upstream[:, -1] = 1.0
    g = rnn_backward(upstream, problem.x, problem.states[0], h, w["kernel"],
                     w["recurrent_kernel"])
    assert g["h"].shape == h.shape
    np.testing.assert_allclose(g["h"][:, -1], 1.0)
    # one step further back: through diag(1 - h^2) W_hh^T
    expected = ((1 - h[:, -1] ** 2) * g["h"][:, -1]) @ w["recurrent_kernel"].T
    np.testing.assert_allclose(g["h"][:, -2], expected)


@pytest.mark.parametrize(("input_dim", "units"), [(1, 1), (3, 5), (10, 32)])
def test_parameter_counts_match_keras(input_dim, units):
    lstm, gru = keras.layers.LSTM(units), keras.layers.GRU(units)
    gru_before = keras.layers.GRU(units, reset_after=False)
    simple = keras.layers.SimpleRNN(units)
    for layer in (lstm, gru, gru_before, simple):
        layer.build((None, None, input_dim))
    assert lstm_param_count(input_dim, units) == lstm.count_params()
    assert gru_param_count(input_dim, units) == gru.count_params()
    assert gru_param_count(input_dim, units, reset_after=False) == gru_before.count_params()
    assert simple_rnn_param_count(input_dim, units) == simple.count_params()
    assert lstm_param_count(input_dim, units) == 4 * simple_rnn_param_count(input_dim, units)


def test_bad_shapes_raise_readable_errors():
    problem = Problem("lstm", np.random.default_rng(6))
    w = problem.weights
    with pytest.raises(ValueError, match=r"x should have shape \(batch, time, input_dim\)"):
        lstm_forward(problem.x[:, 0], *problem.states, w["kernel"], w["recurrent_kernel"],
                     w["bias"])
    with pytest.raises(ValueError, match=r"x should have shape \(batch, time, 3\).*\(2, 4, 4\)"):
        lstm_forward(np.zeros((2, 4, 4)), *problem.states, w["kernel"],
                     w["recurrent_kernel"], w["bias"])
    with pytest.raises(ValueError, match=r"recurrent_kernel should have shape \(5, 20\)"):
        lstm_step(problem.x[:, 0], *problem.states, w["kernel"], w["recurrent_kernel"][:, :15],
                  w["bias"])
    gru = Problem("gru", np.random.default_rng(6))
    with pytest.raises(ValueError, match=r"bias should have shape \(2, 15\).*\(15,\)"):
        gru_forward(gru.x, gru.states[0], gru.weights["kernel"],
                    gru.weights["recurrent_kernel"], gru.weights["bias"][0])
    with pytest.raises(ValueError, match="dh_all should have the shape"):
        _, cache = gru_forward(gru.x, gru.states[0], *gru.weights.values(), return_cache=True)
        gru_backward(np.zeros((1, 1, 1)), cache)
    with pytest.raises(ValueError, match="must be positive"):
        lstm_param_count(0, 3)
