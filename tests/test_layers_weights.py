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
    np.testing.assert_allclose(np.asarray(layer(x)), lstm_forward(x, h0, h0, W, U, b)[0],
                               atol=1e-5)
    W, U, b = rng.normal(size=(3, 12)), rng.normal(size=(4, 12)), rng.normal(size=(2, 12))
    layer = gru_from_weights(W, U, b)
    np.testing.assert_allclose(np.asarray(layer(x)), gru_forward(x, h0, W, U, b), atol=1e-5)
    with pytest.raises(ValueError, match=r"bias \(2, 12\)"):
        gru_from_weights(W, U, b[0])
