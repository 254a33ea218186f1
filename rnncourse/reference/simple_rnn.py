r"""The vanilla (Elman) RNN in NumPy, in Keras's weight layout.

.. math::

    h_t = \tanh(x_t W_{xh} + h_{t-1} W_{hh} + b_h)

with ``x_t`` of shape (batch, input_dim), ``W_xh`` (input_dim, units) — Keras's
``kernel`` —, ``W_hh`` (units, units) — ``recurrent_kernel`` — and ``b_h``
(units,) — ``bias``. Row vectors times matrices, as Keras computes it.
"""

from __future__ import annotations

import numpy as np

from rnncourse.reference._checks import as_array, upstream_gradient


def rnn_step(x_t, h_prev, W_xh, W_hh, b_h, activation=np.tanh):
    """One step: ``h_t = activation(x_t @ W_xh + h_prev @ W_hh + b_h)``.

    Shapes: ``x_t`` (batch, input_dim), ``h_prev`` (batch, units); returns
    (batch, units).
    """
    x_t = as_array("x_t", x_t, 2, "(batch, input_dim)")
    h_prev = as_array("h_prev", h_prev, 2, "(batch, units)")
    if x_t.shape[1] != np.shape(W_xh)[0] or h_prev.shape[1] != np.shape(W_hh)[0]:
        raise ValueError(
            f"shapes do not fit: x_t {x_t.shape} @ W_xh {np.shape(W_xh)}, "
            f"h_prev {h_prev.shape} @ W_hh {np.shape(W_hh)}"
        )
    return activation(x_t @ W_xh + h_prev @ W_hh + b_h)


def rnn_forward(x, h0, W_xh, W_hh, b_h, activation=np.tanh):
    """Run the RNN over a batch of sequences; return every hidden state.

    ``x`` has shape (batch, time, input_dim) and ``h0`` (batch, units). The
    result has shape (batch, time, units): ``h_1 ... h_T`` (not ``h0``), which
    is what ``keras.layers.SimpleRNN(return_sequences=True)`` returns.
    """
    x = as_array("x", x, 3, "(batch, time, input_dim)")
    h = np.asarray(h0)
    states = []
    for t in range(x.shape[1]):
        h = rnn_step(x[:, t], h, W_xh, W_hh, b_h, activation)
        states.append(h)
    if not states:
        return np.zeros((x.shape[0], 0, np.shape(W_hh)[0]), dtype=np.result_type(x, h))
    return np.stack(states, axis=1)


def simple_rnn_param_count(input_dim: int, units: int) -> int:
    """Trainable parameters of ``keras.layers.SimpleRNN(units)``.

    ``W_xh`` has input_dim·units entries, ``W_hh`` units·units and ``b_h``
    units: units · (input_dim + units + 1) in all.
    """
    if input_dim < 1 or units < 1:
        raise ValueError(f"input_dim and units must be positive, got {input_dim}, {units}")
    return units * (input_dim + units + 1)


def rnn_backward(dh_all, x, h0, h_all, W_xh, W_hh, dh_last=None):
    r"""Backpropagation through time for the tanh RNN of :func:`rnn_forward`.

    Given :math:`G_t = \partial L / \partial h_t` for the loss terms that read
    :math:`h_t` directly (``dh_all``, shape (batch, time, units)), the total
    gradient flows backwards in time:

    .. math::

        \delta_t = G_t + \delta_{t+1}^{a} W_{hh}^\top, \qquad
        \delta_t^{a} = \delta_t \odot (1 - h_t^2),

    where :math:`\delta_t^{a}` is the gradient of the pre-activation
    :math:`a_t = x_t W_{xh} + h_{t-1} W_{hh} + b_h`. The shared weights collect
    the sum over their per-step copies:

    .. math::

        \frac{\partial L}{\partial W_{xh}} = \sum_t x_t^\top \delta_t^{a}, \quad
        \frac{\partial L}{\partial W_{hh}} = \sum_t h_{t-1}^\top \delta_t^{a}, \quad
        \frac{\partial L}{\partial b_h} = \sum_t \mathbf{1}^\top \delta_t^{a}.

    ``h_all`` is the output of :func:`rnn_forward` (the backward pass of tanh
    only needs :math:`h_t`); ``dh_last`` optionally adds a gradient on the final
    state (as for ``return_state=True``). Returns a dict keyed by the argument
    names: ``W_xh``, ``W_hh``, ``b_h``, ``x``, ``h0``, and ``h``: the total
    :math:`\partial L/\partial h_t` for every step, shape (batch, time, units)
    (what the vanishing-gradient lesson plots).
    """
    x = as_array("x", x, 3, "(batch, time, input_dim)")
    h_all = as_array("h_all", h_all, 3, "(batch, time, units)")
    h0 = np.asarray(h0)
    dh_all = upstream_gradient(dh_all, h_all)
    W_xh, W_hh = np.asarray(W_xh), np.asarray(W_hh)
    batch, steps, units = h_all.shape
    grads = {
        "W_xh": np.zeros_like(W_xh, dtype=np.result_type(W_xh, dh_all)),
        "W_hh": np.zeros_like(W_hh, dtype=np.result_type(W_hh, dh_all)),
        "b_h": np.zeros(units, dtype=np.result_type(W_hh, dh_all)),
        "x": np.zeros(x.shape, dtype=np.result_type(x, dh_all)),
        "h": np.zeros(h_all.shape, dtype=np.result_type(h_all, dh_all)),
    }
    carry = np.zeros((batch, units), dtype=grads["h"].dtype)
    if dh_last is not None:
        carry = carry + np.asarray(dh_last)
    for t in reversed(range(steps)):
        dh = dh_all[:, t] + carry
        grads["h"][:, t] = dh
        h_prev = h_all[:, t - 1] if t > 0 else h0
        da = dh * (1.0 - h_all[:, t] ** 2)
        grads["W_xh"] += x[:, t].T @ da
        grads["W_hh"] += h_prev.T @ da
        grads["b_h"] += da.sum(axis=0)
        grads["x"][:, t] = da @ W_xh.T
        carry = da @ W_hh.T
    grads["h0"] = carry
    return grads
