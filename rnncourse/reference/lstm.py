r"""The LSTM in NumPy, in Keras's weight layout (gates in the order i, f, c, o).

With row vectors, as Keras computes it, one step is

.. math::

    z_t &= x_t W + h_{t-1} U + b
        = [\,z^i_t \mid z^f_t \mid z^c_t \mid z^o_t\,] \\
    i_t &= \sigma(z^i_t), \quad f_t = \sigma(z^f_t), \quad
    \tilde c_t = \tanh(z^c_t), \quad o_t = \sigma(z^o_t) \\
    c_t &= f_t \odot c_{t-1} + i_t \odot \tilde c_t \\
    h_t &= o_t \odot \tanh(c_t)

where ``W`` is Keras's ``kernel`` (input_dim, 4·units), ``U`` its
``recurrent_kernel`` (units, 4·units) and ``b`` its ``bias`` (4·units,); the
columns are the four gates side by side, so ``W[:, :units]`` feeds the input
gate, ``W[:, units:2*units]`` the forget gate, and so on.
"""

from __future__ import annotations

import numpy as np

from rnncourse.reference._checks import (
    as_array,
    check_sequence_inputs,
    check_step_inputs,
    check_weights,
    sigmoid,
    upstream_gradient,
)


def _lstm_weights(kernel, recurrent_kernel, bias):
    return check_weights(kernel, recurrent_kernel, bias, 4, lambda units: (4 * units,))


def _lstm_gates(x_t, h_prev, kernel, recurrent_kernel, bias):
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)
    return sigmoid(z_i), sigmoid(z_f), np.tanh(z_c), sigmoid(z_o)


def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """One LSTM step; returns ``(h_t, c_t)``, each of shape (batch, units).

    ``x_t`` has shape (batch, input_dim), ``h_prev`` and ``c_prev`` (batch, units).
    """
    input_dim, units = _lstm_weights(kernel, recurrent_kernel, bias)
    x_t, h_prev, c_prev = np.asarray(x_t), np.asarray(h_prev), np.asarray(c_prev)
    check_step_inputs(x_t, {"h_prev": h_prev, "c_prev": c_prev}, input_dim, units)
    i, f, c_tilde, o = _lstm_gates(x_t, h_prev, kernel, recurrent_kernel, bias)
    c_t = f * c_prev + i * c_tilde
    return o * np.tanh(c_t), c_t


def lstm_forward(x, h0, c0, kernel, recurrent_kernel, bias, return_cache=False):
    """Run the LSTM over ``x`` (batch, time, input_dim).

    Returns ``(h_all, c_all)``, both (batch, time, units): every hidden state
    (what ``return_sequences=True`` gives) and every cell state. With
    ``return_cache=True`` a third element holds what :func:`lstm_backward`
    needs (the inputs, initial states, gate activations and weights).
    """
    input_dim, units = _lstm_weights(kernel, recurrent_kernel, bias)
    x = as_array("x", x, 3, "(batch, time, input_dim)")
    h, c = np.asarray(h0), np.asarray(c0)
    check_sequence_inputs(x, {"h0": h, "c0": c}, input_dim, units)
    batch, steps = x.shape[:2]
    dtype = np.result_type(x, h, c, kernel)
    h_all = np.zeros((batch, steps, units), dtype=dtype)
    c_all = np.zeros((batch, steps, units), dtype=dtype)
    gates = np.zeros((4, batch, steps, units), dtype=dtype)
    for t in range(steps):
        h_prev, c_prev = h, c
        i, f, c_tilde, o = _lstm_gates(x[:, t], h_prev, kernel, recurrent_kernel, bias)
        c = f * c_prev + i * c_tilde
        h = o * np.tanh(c)
        gates[:, :, t] = i, f, c_tilde, o
        h_all[:, t], c_all[:, t] = h, c
    if not return_cache:
        return h_all, c_all
    cache = {
        "x": x, "h0": np.asarray(h0), "c0": np.asarray(c0), "h_all": h_all, "c_all": c_all,
        "gates": gates, "kernel": np.asarray(kernel),
        "recurrent_kernel": np.asarray(recurrent_kernel),
    }
    return h_all, c_all, cache


def lstm_backward(dh_all, cache, dh_last=None, dc_last=None):
    r"""Backpropagation through time for :func:`lstm_forward`.

    ``dh_all`` (batch, time, units) is :math:`\partial L/\partial h_t` from the
    loss terms that read :math:`h_t` directly; ``dh_last`` and ``dc_last``
    optionally add gradients on the final states. Going backwards, with
    :math:`\delta h_t` and :math:`\delta c_t` the total gradients:

    .. math::

        \delta o_t &= \delta h_t \odot \tanh(c_t), \qquad
        \delta c_t \mathrel{+}= \delta h_t \odot o_t \odot (1 - \tanh^2 c_t) \\
        \delta i_t &= \delta c_t \odot \tilde c_t, \quad
        \delta f_t = \delta c_t \odot c_{t-1}, \quad
        \delta \tilde c_t = \delta c_t \odot i_t, \quad
        \delta c_{t-1} = \delta c_t \odot f_t \\
        \delta z_t &= [\,\delta i_t\, i_t(1-i_t) \mid \delta f_t\, f_t(1-f_t) \mid
        \delta \tilde c_t\,(1-\tilde c_t^2) \mid \delta o_t\, o_t(1-o_t)\,] \\
        \delta h_{t-1} &= G_{t-1} + \delta z_t U^\top, \qquad
        \delta x_t = \delta z_t W^\top

    and :math:`\partial L/\partial W = \sum_t x_t^\top \delta z_t`,
    :math:`\partial L/\partial U = \sum_t h_{t-1}^\top \delta z_t`,
    :math:`\partial L/\partial b = \sum_t \mathbf 1^\top \delta z_t`.

    The cell state is the "gradient highway": :math:`\delta c_{t-1} = \delta
    c_t \odot f_t` involves no matrix product, so with forget gates near 1 the
    gradient survives many steps.

    Returns a dict: ``kernel``, ``recurrent_kernel``, ``bias``, ``x``, ``h0``,
    ``c0``, and ``h``, ``c``: the total gradients on every hidden and cell state
    (batch, time, units).
    """
    x, h_all, c_all, gates = cache["x"], cache["h_all"], cache["c_all"], cache["gates"]
    kernel, recurrent_kernel = cache["kernel"], cache["recurrent_kernel"]
    dh_all = upstream_gradient(dh_all, h_all)
    batch, steps, units = h_all.shape
    dtype = np.result_type(dh_all, h_all)
    grads = {
        "kernel": np.zeros(kernel.shape, dtype=dtype),
        "recurrent_kernel": np.zeros(recurrent_kernel.shape, dtype=dtype),
        "bias": np.zeros(4 * units, dtype=dtype),
        "x": np.zeros(x.shape, dtype=dtype),
        "h": np.zeros(h_all.shape, dtype=dtype),
        "c": np.zeros(c_all.shape, dtype=dtype),
    }
    dh_next = np.zeros((batch, units), dtype=dtype)
    dc_next = np.zeros((batch, units), dtype=dtype)
    if dh_last is not None:
        dh_next = dh_next + dh_last
    if dc_last is not None:
        dc_next = dc_next + dc_last
    for t in reversed(range(steps)):
        i, f, c_tilde, o = gates[:, :, t]
        h_prev = h_all[:, t - 1] if t > 0 else cache["h0"]
        c_prev = c_all[:, t - 1] if t > 0 else cache["c0"]
        tanh_c = np.tanh(c_all[:, t])
        dh = dh_all[:, t] + dh_next
        dc = dc_next + dh * o * (1.0 - tanh_c**2)
        grads["h"][:, t], grads["c"][:, t] = dh, dc
        dz = np.concatenate(
            [
                dc * c_tilde * i * (1.0 - i),
                dc * c_prev * f * (1.0 - f),
                dc * i * (1.0 - c_tilde**2),
                dh * tanh_c * o * (1.0 - o),
            ],
            axis=-1,
        )
        grads["kernel"] += x[:, t].T @ dz
        grads["recurrent_kernel"] += h_prev.T @ dz
        grads["bias"] += dz.sum(axis=0)
        grads["x"][:, t] = dz @ kernel.T
        dh_next = dz @ recurrent_kernel.T
        dc_next = dc * f
    grads["h0"], grads["c0"] = dh_next, dc_next
    return grads


def lstm_param_count(input_dim: int, units: int) -> int:
    """Trainable parameters of ``keras.layers.LSTM(units)``: 4·units·(input_dim + units + 1).

    Four gates, each with its own input weights, recurrent weights and bias:
    four times a vanilla RNN of the same width.
    """
    if input_dim < 1 or units < 1:
        raise ValueError(f"input_dim and units must be positive, got {input_dim}, {units}")
    return 4 * units * (input_dim + units + 1)
