r"""minGRU and minLSTM in NumPy (Feng et al., 2024, "Were RNNs All We Needed?", arXiv:2410.01201).

Both drop :math:`h_{t-1}` from the gates and the candidate, so the update is a
linear recurrence :math:`h_t = a_t h_{t-1} + b_t`
(:func:`rnncourse.reference.linear_recurrence`) whose coefficients depend on
the inputs only.

**minGRU**, ``kernel`` (input_dim, 2·units) = :math:`[\,W_z \mid W_h\,]`,
``bias`` (2·units,):

.. math::

    z_t = \sigma(x_t W_z + b_z), \quad \tilde h_t = x_t W_h + b_h, \quad
    h_t = (1 - z_t) \odot h_{t-1} + z_t \odot \tilde h_t .

**minLSTM**, ``kernel`` (input_dim, 3·units) = :math:`[\,W_f \mid W_i \mid W_h\,]`,
``bias`` (3·units,):

.. math::

    f_t = \sigma(x_t W_f + b_f), \quad i_t = \sigma(x_t W_i + b_i), \quad
    f'_t = \frac{f_t}{f_t + i_t}, \quad i'_t = \frac{i_t}{f_t + i_t}, \\
    \tilde h_t = x_t W_h + b_h, \quad h_t = f'_t \odot h_{t-1} + i'_t \odot \tilde h_t .

Note the gate convention: in minGRU, :math:`z_t` close to 1 *replaces* the
state (the paper's convention), whereas in Keras's GRU :math:`z_t` close to 1
keeps it. The weights are those of :class:`rnncourse.layers.MinGRU` and
:class:`rnncourse.layers.MinLSTM` (``layer.get_weights()`` gives
``[kernel, bias]``).
"""

from __future__ import annotations

import numpy as np

from rnncourse.reference._checks import as_array, sigmoid
from rnncourse.reference.linear_recurrence import linear_recurrence

__all__ = [
    "min_gru_coefficients",
    "min_gru_forward",
    "min_gru_param_count",
    "min_gru_step",
    "min_lstm_coefficients",
    "min_lstm_forward",
    "min_lstm_param_count",
    "min_lstm_step",
]


def _weights(kernel, bias, gates: int, name: str) -> tuple[int, int]:
    kernel, bias = np.asarray(kernel), np.asarray(bias)
    if kernel.ndim != 2 or kernel.shape[1] % gates:
        raise ValueError(
            f"{name}: kernel should have shape (input_dim, {gates}*units), got shape "
            f"{kernel.shape}"
        )
    input_dim, units = kernel.shape[0], kernel.shape[1] // gates
    if bias.shape != (gates * units,):
        raise ValueError(
            f"{name}: bias should have shape ({gates * units},), got shape {bias.shape}"
        )
    return input_dim, units


def _check_x(x, input_dim: int, rank: int):
    layout = "(batch, time, input_dim)" if rank == 3 else "(batch, input_dim)"
    name = "x" if rank == 3 else "x_t"
    x = as_array(name, x, rank, layout)
    if x.shape[-1] != input_dim:
        raise ValueError(f"{name} should have shape {layout} with input_dim = {input_dim}, "
                         f"got shape {x.shape}")
    return x


def _check_state(h, x, units: int, name: str):
    expected = (x.shape[0], units)
    h = np.asarray(h)
    if h.shape != expected:
        raise ValueError(f"{name} should have shape (batch, units) = {expected}, "
                         f"got shape {h.shape}")
    return h


def min_gru_coefficients(x, kernel, bias):
    """The linear recurrence's ``(a, b) = (1 - z, z * h_tilde)`` for minGRU.

    ``x`` (..., input_dim); ``a`` and ``b`` have shape (..., units).
    """
    z_pre, h_tilde = np.split(np.asarray(x) @ kernel + bias, 2, axis=-1)
    z = sigmoid(z_pre)
    return 1.0 - z, z * h_tilde


def min_lstm_coefficients(x, kernel, bias):
    """The linear recurrence's ``(a, b) = (f', i' * h_tilde)`` for minLSTM.

    ``x`` (..., input_dim); ``a`` and ``b`` have shape (..., units).
    """
    f_pre, i_pre, h_tilde = np.split(np.asarray(x) @ kernel + bias, 3, axis=-1)
    f, i = sigmoid(f_pre), sigmoid(i_pre)
    return f / (f + i), i / (f + i) * h_tilde


def min_gru_step(x_t, h_prev, kernel, bias):
    """One minGRU step: ``x_t`` (batch, input_dim), ``h_prev`` (batch, units) -> (batch, units)."""
    input_dim, units = _weights(kernel, bias, 2, "min_gru_step")
    x_t = _check_x(x_t, input_dim, 2)
    h_prev = _check_state(h_prev, x_t, units, "h_prev")
    a, b = min_gru_coefficients(x_t, kernel, bias)
    return a * h_prev + b


def min_lstm_step(x_t, h_prev, kernel, bias):
    """One minLSTM step: ``x_t`` (batch, input_dim), ``h_prev`` (batch, units) -> (batch, units)."""
    input_dim, units = _weights(kernel, bias, 3, "min_lstm_step")
    x_t = _check_x(x_t, input_dim, 2)
    h_prev = _check_state(h_prev, x_t, units, "h_prev")
    a, b = min_lstm_coefficients(x_t, kernel, bias)
    return a * h_prev + b


def min_gru_forward(x, h0, kernel, bias, method: str = "loop"):
    """minGRU over ``x`` (batch, time, input_dim); returns every state (batch, time, units).

    ``h0`` (batch, units) or ``None`` for zeros; ``method`` as in
    :func:`rnncourse.reference.linear_recurrence` (``"loop"`` or ``"scan"``).
    """
    input_dim, units = _weights(kernel, bias, 2, "min_gru_forward")
    x = _check_x(x, input_dim, 3)
    if h0 is not None:
        h0 = _check_state(h0, x, units, "h0")
    a, b = min_gru_coefficients(x, kernel, bias)
    return linear_recurrence(a, b, h0, method=method)


def min_lstm_forward(x, h0, kernel, bias, method: str = "loop"):
    """minLSTM over ``x`` (batch, time, input_dim); returns every state (batch, time, units)."""
    input_dim, units = _weights(kernel, bias, 3, "min_lstm_forward")
    x = _check_x(x, input_dim, 3)
    if h0 is not None:
        h0 = _check_state(h0, x, units, "h0")
    a, b = min_lstm_coefficients(x, kernel, bias)
    return linear_recurrence(a, b, h0, method=method)


def min_gru_param_count(input_dim: int, units: int) -> int:
    """``2 * units * (input_dim + 1)``: W_z, W_h and their biases; no recurrent matrix."""
    return 2 * units * (input_dim + 1)


def min_lstm_param_count(input_dim: int, units: int) -> int:
    """``3 * units * (input_dim + 1)``: W_f, W_i, W_h and their biases."""
    return 3 * units * (input_dim + 1)
