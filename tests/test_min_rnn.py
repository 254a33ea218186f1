"""MinGRU and MinLSTM: parallel == stepwise == NumPy, masks, parameter counts, saving, training."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.environment import import_keras_quietly
from rnncourse.layers import MinGRU, MinLSTM
from rnncourse.reference import (
    gru_param_count,
    lstm_param_count,
    min_gru_forward,
    min_gru_param_count,
    min_gru_step,
    min_lstm_forward,
    min_lstm_param_count,
    min_lstm_step,
)

keras = import_keras_quietly()

UNITS, FEATURES, STEPS, BATCH = 5, 3, 9, 4
RNG = np.random.default_rng(0)
X = RNG.normal(size=(BATCH, STEPS, FEATURES)).astype("float32")
H0 = RNG.normal(size=(BATCH, UNITS)).astype("float32")
LAYERS = {"gru": (MinGRU, min_gru_forward, min_gru_step),
          "lstm": (MinLSTM, min_lstm_forward, min_lstm_step)}
TOL = dict(rtol=1e-5, atol=1e-5)


def _layer(kind, **kwargs):
    layer = LAYERS[kind][0](UNITS, bias_initializer="random_normal", **kwargs)
    layer.build((None, None, FEATURES))
    return layer


def _np(x):
    return keras.ops.convert_to_numpy(x)


@pytest.mark.parametrize("kind", LAYERS)
def test_parallel_equals_loop_stepwise_and_numpy(kind):
    _, forward, step = LAYERS[kind]
    layer = _layer(kind, return_sequences=True)
    kernel, bias = layer.get_weights()
    expected = forward(X.astype(float), H0.astype(float), kernel, bias)
    np.testing.assert_allclose(forward(X, H0, kernel, bias, method="scan"), expected, **TOL)
    parallel = _np(layer(X, initial_state=H0))
    np.testing.assert_allclose(parallel, expected, **TOL)
    for method in ("loop", "keras_scan"):
        other = _layer(kind, return_sequences=True, method=method)
        other.set_weights(layer.get_weights())
        np.testing.assert_allclose(_np(other(X, initial_state=H0)), expected, **TOL)
        assert other.supports_jit == (method != "keras_scan")
    h, h_np = H0, H0.astype(float)
    for t in range(STEPS):
        h = layer.step(X[:, t], h)
        h_np = step(X[:, t].astype(float), h_np, kernel, bias)
        np.testing.assert_allclose(_np(h), expected[:, t], **TOL)
        np.testing.assert_allclose(h_np, expected[:, t], rtol=1e-12)
    zeros = layer.get_initial_state(BATCH)
    np.testing.assert_array_equal(_np(zeros), np.zeros((BATCH, UNITS)))
    np.testing.assert_allclose(_np(layer(X)), forward(X, None, kernel, bias), **TOL)


def test_min_gru_matches_the_paper_equations():
    layer = _layer("gru", return_sequences=True)
    kernel, bias = layer.get_weights()
    z = 1 / (1 + np.exp(-(X @ kernel[:, :UNITS] + bias[:UNITS])))
    h_tilde = X @ kernel[:, UNITS:] + bias[UNITS:]
    h, states = np.zeros((BATCH, UNITS)), []
    for t in range(STEPS):
        h = (1 - z[:, t]) * h + z[:, t] * h_tilde[:, t]
        states.append(h)
    np.testing.assert_allclose(_np(layer(X)), np.stack(states, axis=1), **TOL)


def test_min_lstm_normalised_gates_sum_to_one():
    layer = _layer("lstm")
    a, b = (_np(v) for v in layer.coefficients(X))
    kernel, bias = layer.get_weights()
    i = 1 / (1 + np.exp(-(X @ kernel[:, UNITS:2 * UNITS] + bias[UNITS:2 * UNITS])))
    h_tilde = X @ kernel[:, 2 * UNITS:] + bias[2 * UNITS:]
    np.testing.assert_allclose((1 - a) * h_tilde, b, **TOL)  # i' = 1 - f'
    assert np.all((a > 0) & (a < 1))
    np.testing.assert_allclose(b / h_tilde, i / (i + 1 / (1 + np.exp(
        -(X @ kernel[:, :UNITS] + bias[:UNITS])))), rtol=1e-4)


@pytest.mark.parametrize("kind", LAYERS)
def test_return_sequences_and_return_state(kind):
    full = _layer(kind, return_sequences=True)
    last = _layer(kind)
    last.set_weights(full.get_weights())
    states = _np(full(X))
    assert states.shape == (BATCH, STEPS, UNITS)
    np.testing.assert_allclose(_np(last(X)), states[:, -1], **TOL)
    both = _layer(kind, return_sequences=True, return_state=True)
    both.set_weights(full.get_weights())
    output, h_last = both(X)
    np.testing.assert_allclose(_np(output), states, **TOL)
    np.testing.assert_allclose(_np(h_last), states[:, -1], **TOL)
    inputs = keras.Input((None, FEATURES))
    symbolic = both(inputs)
    assert [tuple(s.shape) for s in symbolic] == [(None, None, UNITS), (None, UNITS)]


@pytest.mark.parametrize("units,features", [(1, 1), (8, 3), (64, 32)])
def test_parameter_counts(units, features):
    inputs = keras.Input((None, features))
    counts = {}
    for name, layer in [("mingru", MinGRU(units)), ("minlstm", MinLSTM(units)),
                        ("gru", keras.layers.GRU(units)), ("lstm", keras.layers.LSTM(units))]:
        layer(inputs)
        counts[name] = layer.count_params()
    assert counts["mingru"] == min_gru_param_count(features, units) == 2 * units * (features + 1)
    assert counts["minlstm"] == min_lstm_param_count(features, units) == 3 * units * (features + 1)
    assert counts["gru"] == gru_param_count(features, units) == 3 * units * (features + units + 2)
    assert counts["lstm"] == lstm_param_count(features, units) == 4 * units * (features + units + 1)
    assert counts["mingru"] < counts["gru"]


@pytest.mark.parametrize("kind", LAYERS)
def test_padded_and_masked_equals_unpadded(kind):
    lengths = [9, 6, 3, 1]
    padded = X.copy()
    mask = np.arange(STEPS)[None, :] < np.array(lengths)[:, None]
    padded[~mask] = 0.0
    layer = _layer(kind, return_sequences=True)
    last = _layer(kind)
    last.set_weights(layer.get_weights())
    masked_states = _np(layer(padded, mask=mask, initial_state=H0))
    for row, length in enumerate(lengths):
        alone = _np(layer(X[row:row + 1, :length], initial_state=H0[row:row + 1]))[0]
        np.testing.assert_allclose(masked_states[row, :length], alone, **TOL)
        # after the end, a masked step keeps the state, as in Keras's RNN layers
        np.testing.assert_allclose(masked_states[row, length:],
                                   np.broadcast_to(alone[-1], (STEPS - length, UNITS)), **TOL)
    model = keras.Sequential([keras.Input((STEPS, FEATURES)), keras.layers.Masking(0.0), last])
    via_model = model.predict(padded, verbose=0)
    np.testing.assert_allclose(via_model, _np(last(padded, mask=mask)), **TOL)
    np.testing.assert_allclose(_np(last(padded, mask=mask, initial_state=H0)),
                               masked_states[:, -1], **TOL)
    assert layer.compute_mask(padded, mask) is mask and last.compute_mask(padded, mask) is None


def test_model_survives_save_and_load(tmp_path):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((STEPS, FEATURES)),
        MinGRU(UNITS, return_sequences=True),
        MinLSTM(UNITS, method="loop"),
        keras.layers.Dense(1),
    ])
    expected = model.predict(X, verbose=0)
    path = tmp_path / "min_rnn.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert [type(layer).__name__ for layer in loaded.layers[:2]] == ["MinGRU", "MinLSTM"]
    assert loaded.layers[1].method == "loop" and loaded.layers[0].return_sequences
    np.testing.assert_allclose(loaded.predict(X, verbose=0), expected, **TOL)


@pytest.mark.parametrize("kind", LAYERS)
def test_get_config_round_trip(kind):
    layer = LAYERS[kind][0](7, return_sequences=True, return_state=True, method="loop",
                            kernel_initializer="ones", name="recurrent")
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    assert (clone.units, clone.return_sequences, clone.return_state, clone.method) == (
        7, True, True, "loop")
    registered = keras.saving.get_registered_object(
        f"rnncourse>{type(layer).__name__}")
    assert registered is type(layer)


def test_training_lowers_the_loss():
    """A tiny regression (the running mean of the first feature) learns in a few steps."""
    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 12, 2)).astype("float32")
    y = x[:, :, :1].mean(axis=1)
    model = keras.Sequential([keras.Input((12, 2)), MinGRU(8), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.03), loss="mse")  # compiled: tf.function
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=10, batch_size=32, verbose=0)
    after = model.evaluate(x, y, verbose=0)
    assert after < 0.5 * before


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="units must be a positive integer"):
        MinGRU(0)
    with pytest.raises(ValueError, match="units must be a positive integer"):
        MinLSTM(2.5)
    with pytest.raises(ValueError, match="method should be one of 'scan', 'keras_scan', 'loop'"):
        MinGRU(3, method="parallel")
    with pytest.raises(ValueError, match=r"sequences of shape \(batch, time, features\)"):
        MinGRU(3)(X[:, 0])
    with pytest.raises(ValueError, match="needs to know the number of features"):
        MinGRU(3).build((None, 5, None))
    layer = _layer("gru")
    with pytest.raises(ValueError, match=rf"x_t of shape \(batch, {FEATURES}\)"):
        layer.step(X, H0)
    with pytest.raises(ValueError, match=r"initial_state should have shape \(batch, units\)"):
        layer(X, initial_state=H0[:, :2])
    kernel, bias = layer.get_weights()
    with pytest.raises(ValueError, match=r"h_prev should have shape \(batch, units\)"):
        min_gru_step(X[:, 0], H0[:, :2], kernel, bias)
    with pytest.raises(ValueError, match=r"bias should have shape \(10,\)"):
        min_gru_forward(X, None, kernel, bias[:4])
    with pytest.raises(ValueError, match=r"x should have shape \(batch, time, input_dim\)"):
        min_lstm_forward(X[:, 0], None, np.zeros((FEATURES, 6)), np.zeros(6))
