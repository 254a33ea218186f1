"""NumPy weights into the built-in layers."""

import numpy as np
import pytest

from rnncourse.layers import gru_from_weights, lstm_from_weights
from rnncourse.reference import gru_forward, lstm_forward


def test_lstm_and_gru_from_weights_reproduce_the_reference():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    h0 = np.zeros((2, 4), dtype="float32")
    W, U, b = rng.normal(size=(3, 16)), rng.normal(size=(4, 16)), rng.normal(size=16)
    layer = lstm_from_weights(W, U, b)
    np.testing.assert_allclose(np.asarray(layer(x)), lstm_forward(x, h0, h0, W, U, b)[0], atol=1e-5)
    W, U, b = rng.normal(size=(3, 12)), rng.normal(size=(4, 12)), rng.normal(size=(2, 12))
    layer = gru_from_weights(W, U, b)
    np.testing.assert_allclose(np.asarray(layer(x)), gru_forward(x, h0, W, U, b), atol=1e-5)
    with pytest.raises(ValueError, match=r"two biases, shape \(2, 3\*units\)"):
        gru_from_weights(W, U, b[0])


def _gru_reset_before(x, h, W, U, b):
    """Keras's GRU with reset_after=False in NumPy: one bias (3u,), r applied to h_prev."""
    sigmoid = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    W_z, W_r, W_h = np.split(W, 3, axis=-1)
    U_z, U_r, U_h = np.split(U, 3, axis=-1)
    b_z, b_r, b_h = np.split(b, 3)
    outputs = []
    for t in range(x.shape[1]):
        z = sigmoid(x[:, t] @ W_z + h @ U_z + b_z)
        r = sigmoid(x[:, t] @ W_r + h @ U_r + b_r)
        h_tilde = np.tanh(x[:, t] @ W_h + (r * h) @ U_h + b_h)
        h = z * h + (1 - z) * h_tilde
        outputs.append(h)
    return np.stack(outputs, axis=1)


def test_gru_from_weights_with_reset_before_the_product():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 6, 3)).astype("float32")
    h0 = np.zeros((2, 4))
    W, U, b = rng.normal(size=(3, 12)), rng.normal(size=(4, 12)), rng.normal(size=12)
    layer = gru_from_weights(W, U, b, reset_after=False)
    assert layer.reset_after is False and tuple(layer.get_weights()[2].shape) == (12,)
    np.testing.assert_allclose(np.asarray(layer(x)), _gru_reset_before(x, h0, W, U, b), atol=1e-5)
    # the two layouts are told apart up front, with a message that names the option
    with pytest.raises(ValueError, match="reset_after=False the GRU has one bias"):
        gru_from_weights(W, U, np.stack([b, b]), reset_after=False)
    with pytest.raises(ValueError, match="pass reset_after=False"):
        gru_from_weights(W, U, b)
    with pytest.raises(ValueError, match=r"bias \(12,\)"):
        gru_from_weights(W, U, b[:9], reset_after=False)
    with pytest.raises(TypeError, match="reset_after"):
        gru_from_weights(W, U, b, reset_after="no")
