r"""Causal linear attention in NumPy, in its parallel and its recurrent form.

Katharopoulos, Vyas, Pappas and Fleuret (2020), "Transformers are RNNs: fast
autoregressive transformers with linear attention" (ICML, arXiv:2006.16236),
replace the softmax of causal attention by a kernel
:math:`\phi(q)^\top \phi(k)` with a positive feature map :math:`\phi`
(they use :math:`\phi(x) = \operatorname{elu}(x) + 1`). The output at step t
is then

.. math::

    o_t = \frac{\sum_{s \le t} \big(\phi(q_t)^\top \phi(k_s)\big)\, v_s}
               {\sum_{s \le t} \phi(q_t)^\top \phi(k_s)}
        = \frac{\phi(q_t)^\top S_t}{\phi(q_t)^\top z_t},
    \qquad S_t = S_{t-1} + \phi(k_t)\, v_t^\top, \quad z_t = z_{t-1} + \phi(k_t),

with :math:`S_0 = 0` (d_k, d_v) and :math:`z_0 = 0` (d_k,). The left form is
the *parallel* one (a (T, T) matrix of scores with a causal mask, as in
softmax attention); the right one is an RNN whose state is the matrix
:math:`S_t` and the normaliser :math:`z_t`, of a fixed size whatever t.

Shapes: ``q`` and ``k`` (batch, time, d_k), ``v`` (batch, time, d_v); every
function returns (batch, time, d_v).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "elu_plus_one",
    "linear_attention_parallel",
    "linear_attention_recurrent",
    "linear_attention_state_size",
    "softmax_attention_cache_size",
]


def elu_plus_one(x):
    r""":math:`\phi(x) = \operatorname{elu}(x) + 1`: :math:`x + 1` for x > 0, :math:`e^x` otherwise.

    Positive everywhere, so that the normaliser :math:`\phi(q)^\top z_t` of
    linear attention is never 0 (Katharopoulos et al., 2020).
    """
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x + 1.0, np.exp(np.minimum(x, 0.0)))


def _check(q, k, v):
    q, k, v = (np.asarray(a, dtype=float) for a in (q, k, v))
    for name, a in (("q", q), ("k", k), ("v", v)):
        if a.ndim != 3:
            raise ValueError(f"{name} should have shape (batch, time, features), got {a.shape}")
    if q.shape != k.shape:
        raise ValueError(f"q and k should have the same shape, got {q.shape} and {k.shape}")
    if v.shape[:2] != q.shape[:2]:
        raise ValueError(
            f"v should have the batch and time of q, {q.shape[:2]}, got shape {v.shape}"
        )
    return q, k, v


def linear_attention_parallel(q, k, v, feature_map=elu_plus_one):
    r"""Causal linear attention through the (T, T) score matrix: (batch, time, d_v).

    ``scores[t, s] = phi(q_t) . phi(k_s)`` for s <= t (0 above the diagonal);
    each output row is the score-weighted average of the values.
    """
    q, k, v = _check(q, k, v)
    phi_q, phi_k = feature_map(q), feature_map(k)
    scores = phi_q @ np.swapaxes(phi_k, 1, 2)  # (batch, T, T)
    scores = scores * np.tril(np.ones(scores.shape[1:]))
    return (scores @ v) / scores.sum(axis=-1, keepdims=True)


def linear_attention_recurrent(q, k, v, feature_map=elu_plus_one):
    r"""Causal linear attention as an RNN with a matrix state: (batch, time, d_v).

    One step: ``S += outer(phi(k_t), v_t)``, ``z += phi(k_t)``, then
    ``o_t = phi(q_t) S / (phi(q_t) . z)``. The state (S, z) has
    d_k·d_v + d_k numbers at every step.
    """
    q, k, v = _check(q, k, v)
    phi_q, phi_k = feature_map(q), feature_map(k)
    batch, steps, d_k = q.shape
    S = np.zeros((batch, d_k, v.shape[2]))
    z = np.zeros((batch, d_k))
    out = np.zeros((batch, steps, v.shape[2]))
    for t in range(steps):
        S = S + phi_k[:, t, :, None] * v[:, t, None, :]
        z = z + phi_k[:, t]
        numerator = np.einsum("bk,bkv->bv", phi_q[:, t], S)
        out[:, t] = numerator / np.einsum("bk,bk->b", phi_q[:, t], z)[:, None]
    return out


def linear_attention_state_size(d_k: int, d_v: int) -> int:
    """Numbers in the recurrent state (S, z) of linear attention: ``d_k * d_v + d_k``, any t."""
    return d_k * d_v + d_k


def softmax_attention_cache_size(t: int, d_k: int, d_v: int) -> int:
    """Numbers causal softmax attention keeps at step t (keys and values so far): t*(d_k+d_v)."""
    return t * (d_k + d_v)
