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
    if (
        W_xh.ndim != 2
        or W_hh.shape != (W_xh.shape[1], W_xh.shape[1])
        or b_h.shape != (W_xh.shape[1],)
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
        keras.layers.LSTM,
        4,
        lambda units: (4 * units,),
        kernel,
        recurrent_kernel,
        bias,
        {"return_sequences": return_sequences, **kwargs},
    )


def gru_from_weights(
    kernel,
    recurrent_kernel,
    bias,
    *,
    return_sequences: bool = True,
    reset_after: bool = True,
    **kwargs,
):
    """A built ``keras.layers.GRU`` with the given weights (gate order z, r, h).

    ``kernel`` (input_dim, 3·units), ``recurrent_kernel`` (units, 3·units).
    With ``reset_after=True`` (Keras's default, the layout of
    :mod:`rnncourse.reference.gru`) ``bias`` has shape (2, 3·units): row 0 is
    added to the input projection, row 1 to the recurrent one. With
    ``reset_after=False`` the reset gate multiplies ``h_prev`` before the
    recurrent product, and Keras keeps a single bias of shape (3·units,).
    """
    keras = import_keras_quietly()
    if not isinstance(reset_after, bool):
        raise TypeError(f"reset_after must be True or False, got {reset_after!r}")
    bias = np.asarray(bias)
    if reset_after and bias.ndim == 1:
        raise ValueError(
            f"with reset_after=True the GRU has two biases, shape (2, 3*units); got shape "
            f"{bias.shape}, the layout of reset_after=False (pass reset_after=False for it)"
        )
    if not reset_after and bias.ndim == 2:
        raise ValueError(
            f"with reset_after=False the GRU has one bias, shape (3*units,); got shape "
            f"{bias.shape}, the layout of reset_after=True (Keras's default)"
        )
    return _builtin_from_weights(
        keras.layers.GRU,
        3,
        _gru_bias_shape(reset_after),
        kernel,
        recurrent_kernel,
        bias,
        {"return_sequences": return_sequences, "reset_after": reset_after, **kwargs},
    )


def _gru_bias_shape(reset_after: bool):
    if reset_after:
        return lambda units: (2, 3 * units)
    return lambda units: (3 * units,)
