r"""The GRU in NumPy, in Keras's layout with ``reset_after=True`` (gates z, r, h).

Keras's default GRU (the cuDNN-compatible variant) applies the reset gate
*after* the recurrent matrix product and has two bias vectors, one for the
input projection and one for the recurrent projection:

.. math::

    [\,x^z_t \mid x^r_t \mid x^h_t\,] &= x_t W + b^{(x)}, \qquad
    [\,u^z_t \mid u^r_t \mid u^h_t\,] = h_{t-1} U + b^{(h)} \\
    z_t &= \sigma(x^z_t + u^z_t), \qquad r_t = \sigma(x^r_t + u^r_t) \\
    \tilde h_t &= \tanh\big(x^h_t + r_t \odot u^h_t\big) \\
    h_t &= z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t

``W`` is Keras's ``kernel`` (input_dim, 3·units), ``U`` its ``recurrent_kernel``
(units, 3·units) and ``bias`` has shape (2, 3·units): row 0 is
:math:`b^{(x)}`, row 1 :math:`b^{(h)}`. Note Keras's convention: :math:`z_t`
close to 1 *keeps* the old state.
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


def _gru_weights(kernel, recurrent_kernel, bias):
    return check_weights(kernel, recurrent_kernel, bias, 3, lambda units: (2, 3 * units))


def _gru_parts(x_t, h_prev, kernel, recurrent_kernel, bias):
    bias = np.asarray(bias)
    x_z, x_r, x_h = np.split(x_t @ kernel + bias[0], 3, axis=-1)
    u_z, u_r, u_h = np.split(h_prev @ recurrent_kernel + bias[1], 3, axis=-1)
    z = sigmoid(x_z + u_z)
    r = sigmoid(x_r + u_r)
    h_tilde = np.tanh(x_h + r * u_h)
    return z, r, h_tilde, u_h


def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    """One GRU step (``reset_after=True``); returns ``h_t`` of shape (batch, units)."""
    input_dim, units = _gru_weights(kernel, recurrent_kernel, bias)
    x_t, h_prev = np.asarray(x_t), np.asarray(h_prev)
    check_step_inputs(x_t, {"h_prev": h_prev}, input_dim, units)
    z, _, h_tilde, _ = _gru_parts(x_t, h_prev, kernel, recurrent_kernel, bias)
    return z * h_prev + (1.0 - z) * h_tilde


def gru_forward(x, h0, kernel, recurrent_kernel, bias, return_cache=False):
    """Run the GRU over ``x`` (batch, time, input_dim); return ``h_all`` (batch, time, units).

    With ``return_cache=True`` returns ``(h_all, cache)``, the cache holding
    what :func:`gru_backward` needs.
    """
    input_dim, units = _gru_weights(kernel, recurrent_kernel, bias)
    x = as_array("x", x, 3, "(batch, time, input_dim)")
    h = np.asarray(h0)
    check_sequence_inputs(x, {"h0": h}, input_dim, units)
    batch, steps = x.shape[:2]
    dtype = np.result_type(x, h, kernel)
    h_all = np.zeros((batch, steps, units), dtype=dtype)
    parts = np.zeros((4, batch, steps, units), dtype=dtype)
    for t in range(steps):
        z, r, h_tilde, u_h = _gru_parts(x[:, t], h, kernel, recurrent_kernel, bias)
        h = z * h + (1.0 - z) * h_tilde
        parts[:, :, t] = z, r, h_tilde, u_h
        h_all[:, t] = h
    if not return_cache:
        return h_all
    cache = {
        "x": x, "h0": np.asarray(h0), "h_all": h_all, "parts": parts,
        "kernel": np.asarray(kernel), "recurrent_kernel": np.asarray(recurrent_kernel),
    }
    return h_all, cache


def gru_backward(dh_all, cache, dh_last=None):
    r"""Backpropagation through time for :func:`gru_forward`.

    With :math:`\delta h_t` the total gradient on :math:`h_t` and
    :math:`a^h_t = x^h_t + r_t \odot u^h_t`:

    .. math::

        \delta a^h_t &= \delta h_t \odot (1 - z_t) \odot (1 - \tilde h_t^2), \qquad
        \delta a^z_t = \delta h_t \odot (h_{t-1} - \tilde h_t) \odot z_t (1 - z_t) \\
        \delta a^r_t &= \delta a^h_t \odot u^h_t \odot r_t (1 - r_t) \\
        \delta X_t &= [\,\delta a^z_t \mid \delta a^r_t \mid \delta a^h_t\,], \qquad
        \delta H_t = [\,\delta a^z_t \mid \delta a^r_t \mid \delta a^h_t \odot r_t\,] \\
        \delta h_{t-1} &= G_{t-1} + \delta h_t \odot z_t + \delta H_t U^\top, \qquad
        \delta x_t = \delta X_t W^\top

    with :math:`\partial L/\partial W = \sum_t x_t^\top \delta X_t`,
    :math:`\partial L/\partial U = \sum_t h_{t-1}^\top \delta H_t` and the two
    bias rows :math:`\sum_t \mathbf 1^\top \delta X_t`,
    :math:`\sum_t \mathbf 1^\top \delta H_t`.

    Returns a dict: ``kernel``, ``recurrent_kernel``, ``bias`` (2, 3·units),
    ``x``, ``h0`` and ``h`` (the total gradient on every hidden state).
    """
    x, h_all, parts = cache["x"], cache["h_all"], cache["parts"]
    kernel, recurrent_kernel = cache["kernel"], cache["recurrent_kernel"]
    dh_all = upstream_gradient(dh_all, h_all)
    batch, steps, units = h_all.shape
    dtype = np.result_type(dh_all, h_all)
    grads = {
        "kernel": np.zeros(kernel.shape, dtype=dtype),
        "recurrent_kernel": np.zeros(recurrent_kernel.shape, dtype=dtype),
        "bias": np.zeros((2, 3 * units), dtype=dtype),
        "x": np.zeros(x.shape, dtype=dtype),
        "h": np.zeros(h_all.shape, dtype=dtype),
    }
    dh_next = np.zeros((batch, units), dtype=dtype)
    if dh_last is not None:
        dh_next = dh_next + dh_last
    for t in reversed(range(steps)):
        z, r, h_tilde, u_h = parts[:, :, t]
        h_prev = h_all[:, t - 1] if t > 0 else cache["h0"]
        dh = dh_all[:, t] + dh_next
        grads["h"][:, t] = dh
        da_h = dh * (1.0 - z) * (1.0 - h_tilde**2)
        da_z = dh * (h_prev - h_tilde) * z * (1.0 - z)
        da_r = da_h * u_h * r * (1.0 - r)
        d_x = np.concatenate([da_z, da_r, da_h], axis=-1)
        d_u = np.concatenate([da_z, da_r, da_h * r], axis=-1)
        grads["kernel"] += x[:, t].T @ d_x
        grads["recurrent_kernel"] += h_prev.T @ d_u
        grads["bias"][0] += d_x.sum(axis=0)
        grads["bias"][1] += d_u.sum(axis=0)
        grads["x"][:, t] = d_x @ kernel.T
        dh_next = dh * z + d_u @ recurrent_kernel.T
    grads["h0"] = dh_next
    return grads


def gru_param_count(input_dim: int, units: int, reset_after: bool = True) -> int:
    """Trainable parameters of ``keras.layers.GRU(units, reset_after=...)``.

    3·units·(input_dim + units + 2) with ``reset_after=True`` (Keras's default:
    separate input and recurrent biases), 3·units·(input_dim + units + 1) without.
    """
    if input_dim < 1 or units < 1:
        raise ValueError(f"input_dim and units must be positive, got {input_dim}, {units}")
    return 3 * units * (input_dim + units + (2 if reset_after else 1))
