r"""Attention in NumPy: scores, masked softmax weights and context vectors.

Shapes are batch-first: queries ``q`` (batch, Tq, d_q), keys ``k`` (batch, Tv,
d_k) and values ``v`` (batch, Tv, d_v). A score function gives
``scores`` (batch, Tq, Tv); the weights are a softmax over the keys,

.. math::

    \alpha_{ij} = \frac{\exp s_{ij}}{\sum_{j'} \exp s_{ij'}}, \qquad
    c_i = \sum_j \alpha_{ij} v_j,

so the cost grows with Tq·Tv. The scores (row vectors, as in Keras):

* dot (Luong): :math:`s_{ij} = q_i \cdot k_j` (optionally times a scale),
* general (Luong): :math:`s_{ij} = q_i W k_j^\top`, ``W`` (d_q, d_k),
* additive (Bahdanau): :math:`s_{ij} = v^\top \tanh(q_i W_q + k_j W_k)`, with
  ``W_q`` (d_q, units), ``W_k`` (d_k, units) and ``v`` (units,). Without the
  projections (``W_q = W_k = I``) this is ``keras.layers.AdditiveAttention``,
  whose ``scale`` vector plays the role of ``v``.
"""

from __future__ import annotations

import numpy as np

from rnncourse.reference._checks import as_array


def _queries_and_keys(query, keys):
    query = as_array("query", query, 3, "(batch, Tq, dim)")
    keys = as_array("keys", keys, 3, "(batch, Tv, dim)")
    if query.shape[0] != keys.shape[0]:
        raise ValueError(
            f"query and keys must have the same batch size, got {query.shape} and {keys.shape}"
        )
    return query, keys


def dot_scores(query, keys, scale: float | None = None) -> np.ndarray:
    r"""Dot-product scores :math:`s_{ij} = q_i \cdot k_j` (times ``scale`` if given).

    ``keras.layers.Attention(use_scale=True)`` learns a scalar ``scale``; the
    Transformer uses :math:`1/\sqrt{d}`. Returns (batch, Tq, Tv).
    """
    query, keys = _queries_and_keys(query, keys)
    if query.shape[-1] != keys.shape[-1]:
        raise ValueError(
            "dot scores need queries and keys of the same size, got "
            f"query {query.shape} and keys {keys.shape}; use general_scores otherwise"
        )
    scores = query @ np.swapaxes(keys, -1, -2)
    return scores if scale is None else scores * scale


def general_scores(query, keys, W) -> np.ndarray:
    r"""Luong's "general" scores :math:`s_{ij} = q_i W k_j^\top`, ``W`` (d_q, d_k)."""
    query, keys = _queries_and_keys(query, keys)
    W = as_array("W", W, 2, "(query_dim, key_dim)")
    if W.shape != (query.shape[-1], keys.shape[-1]):
        raise ValueError(
            f"W should have shape ({query.shape[-1]}, {keys.shape[-1]}), got shape {W.shape}"
        )
    return (query @ W) @ np.swapaxes(keys, -1, -2)


def additive_scores(query, keys, v, W_q=None, W_k=None) -> np.ndarray:
    r"""Bahdanau's additive scores :math:`s_{ij} = v^\top \tanh(q_i W_q + k_j W_k)`.

    Leave ``W_q`` and ``W_k`` out (identity) for Keras's ``AdditiveAttention``,
    where ``v`` is the layer's ``scale`` vector and queries and keys must have
    the same size. Returns (batch, Tq, Tv).
    """
    query, keys = _queries_and_keys(query, keys)
    if (W_q is None) != (W_k is None):
        raise ValueError("give both W_q and W_k, or neither (no projections)")
    if W_q is not None:
        W_q = as_array("W_q", W_q, 2, "(query_dim, units)")
        W_k = as_array("W_k", W_k, 2, "(key_dim, units)")
        if (
            W_q.shape[0] != query.shape[-1]
            or W_k.shape[0] != keys.shape[-1]
            or (W_q.shape[1] != W_k.shape[1])
        ):
            raise ValueError(
                f"W_q should have shape ({query.shape[-1]}, units) and W_k "
                f"({keys.shape[-1]}, units), got {W_q.shape} and {W_k.shape}"
            )
        query, keys = query @ W_q, keys @ W_k
    elif query.shape[-1] != keys.shape[-1]:
        raise ValueError(
            "without projections queries and keys must have the same size, got "
            f"query {query.shape} and keys {keys.shape}"
        )
    v = as_array("v", v, 1, "(units,)")
    if v.shape[0] != query.shape[-1]:
        raise ValueError(f"v should have shape ({query.shape[-1]},), got shape {v.shape}")
    hidden = np.tanh(query[:, :, None, :] + keys[:, None, :, :])  # (batch, Tq, Tv, units)
    return hidden @ v


def masked_softmax(scores, mask=None) -> np.ndarray:
    """Softmax over the last axis of ``scores`` (batch, Tq, Tv); masked keys get weight 0.

    ``mask`` is boolean, True for the positions that may be attended to, of
    shape (batch, Tv) (padding of the keys) or (batch, Tq, Tv). A row with no
    allowed position gets all-zero weights (and so a zero context vector).
    """
    scores = as_array("scores", scores, 3, "(batch, Tq, Tv)")
    if mask is None:
        allowed = np.ones(scores.shape, dtype=bool)
    else:
        mask = np.asarray(mask, dtype=bool)
        if mask.ndim == 2:
            mask = mask[:, None, :]
        if mask.ndim != 3 or mask.shape[0] != scores.shape[0] or mask.shape[2] != scores.shape[2]:
            raise ValueError(
                f"mask should have shape ({scores.shape[0]}, {scores.shape[2]}) or "
                f"{scores.shape}, got shape {np.shape(mask)}"
            )
        allowed = np.broadcast_to(mask, scores.shape)
    shifted = np.where(allowed, scores, -np.inf)
    row_max = np.max(shifted, axis=-1, keepdims=True)
    row_max = np.where(np.isfinite(row_max), row_max, 0.0)
    with np.errstate(over="ignore"):  # float16: far-apart scores overflow to -inf, exp gives 0
        exps = np.where(allowed, np.exp(np.where(allowed, scores, row_max) - row_max), 0.0)
    totals = exps.sum(axis=-1, keepdims=True)
    return np.divide(exps, totals, out=np.zeros_like(exps), where=totals > 0)


def attention(query, values, keys=None, *, score: str = "dot", mask=None, **score_params):
    """Context vectors and attention weights: ``(context, weights)``.

    ``score`` is ``"dot"``, ``"general"`` or ``"additive"``; ``score_params``
    go to the score function (``scale``; ``W``; ``v``, ``W_q``, ``W_k``).
    ``keys`` default to the values, as in Keras. ``context`` has shape
    (batch, Tq, d_v) and ``weights`` (batch, Tq, Tv).
    """
    values = as_array("values", values, 3, "(batch, Tv, dim)")
    keys = values if keys is None else keys
    if np.shape(keys)[:2] != values.shape[:2]:
        raise ValueError(
            f"keys and values must have the same (batch, Tv), got {np.shape(keys)} "
            f"and {values.shape}"
        )
    score_functions = {"dot": dot_scores, "general": general_scores, "additive": additive_scores}
    if score not in score_functions:
        raise ValueError(f"score must be one of {sorted(score_functions)}, got {score!r}")
    weights = masked_softmax(score_functions[score](query, keys, **score_params), mask)
    return weights @ values, weights
