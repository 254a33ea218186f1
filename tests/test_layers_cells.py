"""From-scratch cells inside keras.layers.RNN against SimpleRNN / LSTM / GRU."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.environment import import_keras_quietly
from rnncourse.layers import ScratchGRUCell, ScratchLSTMCell, ScratchSimpleRNNCell

keras = import_keras_quietly()
import tensorflow as tf  # noqa: E402

PAIRS = {
    "simple": (ScratchSimpleRNNCell, keras.layers.SimpleRNN),
    "lstm": (ScratchLSTMCell, keras.layers.LSTM),
    "gru": (ScratchGRUCell, keras.layers.GRU),
}
UNITS, FEATURES = 6, 3
RNG = np.random.default_rng(0)
X = RNG.normal(size=(4, 7, FEATURES)).astype("float32")


def _pair(kind, **kwargs):
    scratch_cell, builtin_class = PAIRS[kind]
    builtin = builtin_class(UNITS, **kwargs)
    scratch = keras.layers.RNN(scratch_cell(UNITS), **kwargs)
    builtin.build((None, None, FEATURES))
    scratch.build((None, None, FEATURES))
    scratch.set_weights(builtin.get_weights())
    return scratch, builtin


def _assert_close(a, b):
    a = a if isinstance(a, (list, tuple)) else [a]
    b = b if isinstance(b, (list, tuple)) else [b]
    assert len(a) == len(b)
    for left, right in zip(a, b, strict=True):
        np.testing.assert_allclose(np.asarray(left), np.asarray(right), atol=1e-5)


@pytest.mark.parametrize("kind", list(PAIRS))
def test_weights_have_keras_names_and_shapes(kind):
    scratch, builtin = _pair(kind)
    assert [w.shape for w in scratch.weights] == [w.shape for w in builtin.weights]
    assert [w.name for w in scratch.weights] == ["kernel", "recurrent_kernel", "bias"]


@pytest.mark.parametrize("kind", list(PAIRS))
def test_outputs_and_states_match_builtin(kind):
    scratch, builtin = _pair(kind, return_sequences=True, return_state=True)
    _assert_close(scratch(X), builtin(X))


@pytest.mark.parametrize("kind", list(PAIRS))
def test_gradients_match_builtin(kind):
    scratch, builtin = _pair(kind, return_sequences=True)
    upstream = RNG.normal(size=(4, 7, UNITS)).astype("float32")
    grads = []
    for layer in (scratch, builtin):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(X) * upstream)
        grads.append(tape.gradient(loss, layer.trainable_variables))
    _assert_close(grads[0], grads[1])


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_masking_and_bidirectional_match_builtin(kind):
    scratch, builtin = _pair(kind, return_sequences=True)
    lengths = np.array([7, 3, 5, 1])
    mask = np.arange(7)[None, :] < lengths[:, None]
    _assert_close(scratch(X, mask=mask), builtin(X, mask=mask))
    outputs = []
    for layer in (scratch, builtin):
        wrapper = keras.layers.Bidirectional(layer, merge_mode="concat")
        wrapper.build((None, None, FEATURES))
        outputs.append(wrapper)
    outputs[0].set_weights(outputs[1].get_weights())
    _assert_close(outputs[0](X, mask=mask), outputs[1](X, mask=mask))


def test_unit_forget_bias_initialises_forget_gate_to_one():
    layer = keras.layers.RNN(ScratchLSTMCell(4))
    layer.build((None, None, 2))
    bias = layer.get_weights()[2]
    np.testing.assert_array_equal(bias, np.r_[np.zeros(4), np.ones(4), np.zeros(8)])
    plain = keras.layers.RNN(ScratchLSTMCell(4, unit_forget_bias=False))
    plain.build((None, None, 2))
    np.testing.assert_array_equal(plain.get_weights()[2], 0.0)


def test_stateful_layer_carries_the_state_and_reset_state_clears_it():
    inputs = keras.Input((7, FEATURES), batch_size=4)
    layer = keras.layers.RNN(ScratchLSTMCell(UNITS), stateful=True)
    model = keras.Model(inputs, layer(inputs))
    whole = keras.layers.RNN(ScratchLSTMCell(UNITS))
    whole.build((None, None, FEATURES))
    whole.set_weights(layer.get_weights())
    x_long = np.concatenate([X, X[:, ::-1]], axis=1)
    model(X)
    second = model(np.ascontiguousarray(X[:, ::-1]))
    _assert_close(second, whole(x_long))  # two windows = one long sequence
    layer.reset_state()
    _assert_close(model(X), whole(X))


def test_model_with_scratch_cells_survives_save_and_load(tmp_path):
    inputs = keras.Input((None, FEATURES))
    h = keras.layers.RNN(ScratchLSTMCell(UNITS), return_sequences=True)(inputs)
    h = keras.layers.Bidirectional(keras.layers.RNN(ScratchGRUCell(4)))(h)
    h = keras.layers.Reshape((1, 8))(h)
    h = keras.layers.RNN(ScratchSimpleRNNCell(3, activation="relu"))(h)
    model = keras.Model(inputs, h)
    path = tmp_path / "scratch.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    _assert_close(loaded(X), model(X))
    cells = [layer.cell for layer in loaded.layers if isinstance(layer, keras.layers.RNN)]
    assert isinstance(cells[0], ScratchLSTMCell)
    assert cells[-1].get_config()["activation"] == "relu"


def test_get_config_round_trip():
    cell = ScratchGRUCell(5, recurrent_activation="hard_sigmoid", use_bias=False)
    clone = ScratchGRUCell.from_config(cell.get_config())
    assert clone.units == 5 and clone.use_bias is False
    assert clone.get_config()["recurrent_activation"] == "hard_sigmoid"


def test_bad_shapes_raise_clear_errors():
    layer = keras.layers.RNN(ScratchLSTMCell(UNITS))
    with pytest.raises(ValueError, match=r"\(batch, time, features\).*2-D input"):
        layer(X[:, 0])
    layer = keras.layers.RNN(ScratchGRUCell(UNITS))
    layer(X)
    with pytest.raises(ValueError, match=r"built for steps of shape \(batch, 3\).*\(4, 5\)"):
        layer(RNG.normal(size=(4, 7, 5)).astype("float32"))
    with pytest.raises(ValueError, match="units must be a positive integer"):
        ScratchSimpleRNNCell(0)


def test_trains_in_a_compiled_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((7, FEATURES)),
                              keras.layers.RNN(ScratchLSTMCell(8)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    y = X.sum(axis=(1, 2))[:, None] / 5
    history = model.fit(X, y, epochs=30, verbose=0)
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]
