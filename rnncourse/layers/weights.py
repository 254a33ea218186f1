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


def _builtin_from_weights(layer_class, gates, bias_shape, kernel, recurrent_kernel, bias, kwargs):
    kernel, recurrent_kernel, bias = (
        np.asarray(w, dtype="float32") for w in (kernel, recurrent_kernel, bias)
    )
    if kernel.ndim != 2 or kernel.shape[1] % gates:
        raise ValueError(
            f"kernel should have shape (input_dim, {gates}*units), got shape {kernel.shape}"
        )
    input_dim, units = kernel.shape[0], kernel.shape[1] // gates
    if recurrent_kernel.shape != (units, gates * units) or bias.shape != bias_shape(units):
        raise ValueError(
            f"expected recurrent_kernel ({units}, {gates * units}) and bias "
            f"{bias_shape(units)}; got {recurrent_kernel.shape} and {bias.shape}"
        )
    layer = layer_class(units, **kwargs)
    layer.build((None, None, input_dim))
    layer.set_weights([kernel, recurrent_kernel, bias])
    return layer


def lstm_from_weights(kernel, recurrent_kernel, bias, *, return_sequences: bool = True, **kwargs):
    """A built ``keras.layers.LSTM`` with the given weights (gate order i, f, c, o).

    ``kernel`` (input_dim, 4·units), ``recurrent_kernel`` (units, 4·units),
    ``bias`` (4·units,): the layout of :mod:`rnncourse.reference.lstm`.
    """
    keras = import_keras_quietly()
    return _builtin_from_weights(
        keras.layers.LSTM, 4, lambda units: (4 * units,), kernel, recurrent_kernel, bias,
        {"return_sequences": return_sequences, **kwargs},
    )


def gru_from_weights(kernel, recurrent_kernel, bias, *, return_sequences: bool = True, **kwargs):
    """A built ``keras.layers.GRU`` (``reset_after=True``) with the given weights.

    ``kernel`` (input_dim, 3·units), ``recurrent_kernel`` (units, 3·units),
    ``bias`` (2, 3·units): the layout of :mod:`rnncourse.reference.gru`.
    """
    keras = import_keras_quietly()
    return _builtin_from_weights(
        keras.layers.GRU, 3, lambda units: (2, 3 * units), kernel, recurrent_kernel, bias,
        {"return_sequences": return_sequences, **kwargs},
    )
