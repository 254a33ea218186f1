"""Put NumPy weights into Keras's built-in recurrent layers."""

from __future__ import annotations

import numpy as np

from rnncourse.environment import import_keras_quietly


def simple_rnn_from_weights(W_xh, W_hh, b_h, *, return_sequences: bool = True, **kwargs):
    """A built ``keras.layers.SimpleRNN`` whose weights are ``W_xh, W_hh, b_h``.

    ``W_xh`` (input_dim, units) becomes ``kernel``, ``W_hh`` (units, units)
    ``recurrent_kernel`` and ``b_h`` (units,) ``bias``: the layouts agree, so
    no transposition is needed. Extra keyword arguments go to ``SimpleRNN``.
    """
    keras = import_keras_quietly()
    W_xh, W_hh, b_h = (np.asarray(w, dtype="float32") for w in (W_xh, W_hh, b_h))
    if W_xh.ndim != 2 or W_hh.shape != (W_xh.shape[1], W_xh.shape[1]) or b_h.shape != (
        W_xh.shape[1],
    ):
        raise ValueError(
            "expected W_xh (input_dim, units), W_hh (units, units), b_h (units,); got "
            f"{W_xh.shape}, {W_hh.shape}, {b_h.shape}"
        )
    input_dim, units = W_xh.shape
    layer = keras.layers.SimpleRNN(units, return_sequences=return_sequences, **kwargs)
    layer.build((None, None, input_dim))
    layer.set_weights([W_xh, W_hh, b_h])
    return layer
