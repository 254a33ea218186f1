"""Checks for lesson 08: attention.

Each wrong answer listed here differs from the right one in a single term
(transposed weight, missing tanh, wrong softmax axis, mask left out, ...), so
that a match names the mistake. The expected values come from
:mod:`rnncourse.reference.attention`, whose dot attention is what
``keras.layers.Attention`` computes (``tests/test_checks_lesson08.py`` checks
that too).
"""

from __future__ import annotations

import numpy as np

from rnncourse.checks.core import Failure, compare_arrays, describe, distinct_sizes
from rnncourse.checks.exercise import Exercise, register
from rnncourse.reference.attention import additive_scores as ref_additive
from rnncourse.reference.attention import dot_scores as ref_dot
from rnncourse.reference.attention import general_scores as ref_general
from rnncourse.reference.attention import masked_softmax as ref_softmax


def _swap(a):
    """(batch, Tq, Tv) -> (batch, Tv, Tq): the scores of the wrong axes."""
    return np.swapaxes(a, -1, -2)


def _plain_softmax(scores, axis=-1):
    shifted = scores - scores.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def _random_mask(rng, batch, steps):
    """Boolean (batch, steps), True = may be attended to; every row keeps at least one
    position, and at least one position of the batch is masked."""
    mask = rng.random((batch, steps)) < 0.7
    mask[np.arange(batch), rng.integers(0, steps, size=batch)] = True
    if mask.all():
        mask[0, -1] = False
        mask[0, 0] = True
    return mask


# ---------------------------------------------------------------- exercise 1


@register
class LuongGeneralScores(Exercise):
    """``luong_general_scores(query, keys, W) -> scores (batch, Tq, Tv)``.

    The first case has square ``W`` (query and key sizes equal), so that a
    transposed or forgotten ``W`` gives a wrong value rather than an error.
    """

    name = "luong_general_scores"
    lesson = "08"
    input_names = ("query", "keys", "W")

    def cases(self, rng):
        cases = []
        batch, Tq, Tv, d = distinct_sizes(rng, 4, 2, 8)
        cases.append(
            (
                rng.normal(size=(batch, Tq, d)),
                rng.normal(size=(batch, Tv, d)),
                rng.normal(size=(d, d)),
            )
        )
        for _ in range(2):
            batch, Tq, Tv, d_q, d_k = distinct_sizes(rng, 5, 2, 9)
            cases.append(
                (
                    rng.normal(size=(batch, Tq, d_q)),
                    rng.normal(size=(batch, Tv, d_k)),
                    rng.normal(size=(d_q, d_k)),
                )
            )
        return cases

    def judge(self, case, value):
        query, keys, W = case
        right = ref_general(query, keys, W)
        mistakes = [
            (
                "the scores are (batch, Tv, Tq): you scored every key against the queries. Put "
                "the queries first, s_ij = q_i W k_j^T, so that row i belongs to query i.",
                _swap(right),
            ),
        ]
        if W.shape[0] == W.shape[1]:
            mistakes += [
                (
                    "W looks transposed: you computed q W^T k^T. With row vectors the query "
                    "multiplies W on the left: (query @ W) @ keys^T.",
                    query @ W.T @ _swap(keys),
                ),
                (
                    "W seems missing: your scores are the plain dot scores q · k. Multiply the "
                    "query by W first.",
                    ref_dot(query, keys),
                ),
            ]
        mistakes.append(
            (
                "your scores are scaled by 1/sqrt(d): Luong's general score has no scale.",
                right / np.sqrt(keys.shape[-1]),
            )
        )
        compare_arrays(value, right, mistakes, what="the scores")


# ---------------------------------------------------------------- exercise 2


@register
class BahdanauScores(Exercise):
    """``bahdanau_scores(query, keys, W_q, W_k, v) -> scores (batch, Tq, Tv)``.

    The first case has query size = key size = units, so that transposed or
    swapped projections give a wrong value rather than an error.
    """

    name = "bahdanau_scores"
    lesson = "08"
    input_names = ("query", "keys", "W_q", "W_k", "v")

    def cases(self, rng):
        cases = []
        batch, Tq, Tv, d = distinct_sizes(rng, 4, 2, 8)
        sizes = [(batch, Tq, Tv, d, d, d)]
        for _ in range(2):
            sizes.append(tuple(distinct_sizes(rng, 6, 2, 9)))
        for batch, Tq, Tv, d_q, d_k, units in sizes:
            cases.append(
                (
                    rng.normal(size=(batch, Tq, d_q)),
                    rng.normal(size=(batch, Tv, d_k)),
                    rng.normal(0.0, 0.6, size=(d_q, units)),
                    rng.normal(0.0, 0.6, size=(d_k, units)),
                    rng.normal(size=units),
                )
            )
        return cases

    def judge(self, case, value):
        query, keys, W_q, W_k, v = case
        right = ref_additive(query, keys, v, W_q, W_k)
        pre = (query @ W_q)[:, :, None, :] + (keys @ W_k)[:, None, :, :]
        mistakes = [
            (
                "tanh seems missing: your scores equal v^T (q_i W_q + k_j W_k). The additive "
                "score is v^T tanh(q_i W_q + k_j W_k).",
                pre @ v,
            ),
            (
                "you applied tanh after multiplying by v: take tanh of q_i W_q + k_j W_k "
                "first, then the dot product with v.",
                np.tanh(pre @ v),
            ),
            (
                "the vector v seems missing: your scores are the plain sum over units of "
                "tanh(q_i W_q + k_j W_k). Multiply by v instead.",
                np.tanh(pre).sum(-1),
            ),
            (
                "the scores are (batch, Tv, Tq): you broadcast the queries along the key axis. "
                "Add q_i W_q as (batch, Tq, 1, units) to k_j W_k as (batch, 1, Tv, units).",
                _swap(right),
            ),
        ]
        if W_q.shape[0] == W_q.shape[1]:
            mistakes += [
                (
                    "W_q looks transposed: project the queries with query @ W_q.",
                    ref_additive(query, keys, v, W_q.T, W_k),
                ),
                (
                    "W_k looks transposed: project the keys with keys @ W_k.",
                    ref_additive(query, keys, v, W_q, W_k.T),
                ),
                (
                    "W_q and W_k look swapped: the queries go through W_q, the keys through W_k.",
                    ref_additive(query, keys, v, W_k, W_q),
                ),
            ]
        compare_arrays(value, right, mistakes, what="the scores")


# ---------------------------------------------------------------- exercise 3


def _as_pair(value):
    """(context, weights) from what the learner returned, or a Failure naming the problem."""
    if (
        isinstance(value, np.ndarray)
        and value.dtype != object
        and value.ndim >= 1
        and (value.shape[0] == 2 and value.ndim == 4)
    ):
        return value[0], value[1]  # a tuple of two same-shaped arrays became one array
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return value[0], value[1]
    raise Failure(f"return a pair (context, weights); you returned {describe(value)}.")


def _float32_tolerance(scores) -> dict:
    """rtol/atol for weights and contexts computed from ``scores`` in float32.

    A right answer in float32 rounds every score to about 6e-8 of its size, and the
    softmax turns an error e in a score into a relative error e in its weight: with
    scores near 1000 that is about 1e-4, far above the default tolerance, and far below
    what any mistake changes (at least 1e-2 on these cases).
    """
    spread = 8 * float(np.finfo(np.float32).eps) * max(1.0, float(np.abs(scores).max()))
    return {"rtol": max(1e-5, spread), "atol": max(1e-6, spread)}


@register
class MaskedAttention(Exercise):
    """``masked_attention(scores, values, mask) -> (context, weights)``.

    A case is ``(scores, values, mask)`` with ``scores`` (batch, Tq, Tv),
    ``values`` (batch, Tv, d_v) and a boolean ``mask`` (batch, Tv), True where
    a key may be attended to. The first case has Tq = Tv, so that a softmax
    over the wrong axis or transposed weights give a wrong value rather than an
    error; the last has scores near 1000, where ``np.exp`` overflows unless the
    row maximum is subtracted first.
    """

    name = "masked_attention"
    lesson = "08"
    input_names = ("scores", "values", "mask")

    def cases(self, rng):
        batch, T, d_v = distinct_sizes(rng, 3, 2, 7)
        shapes = [(batch, T, T, d_v)]
        shapes.append(tuple(distinct_sizes(rng, 4, 2, 8)))
        shapes.append(tuple(distinct_sizes(rng, 4, 2, 8)))
        cases = []
        for k, (batch, Tq, Tv, d_v) in enumerate(shapes):
            scores = rng.normal(0.0, 1.5, size=(batch, Tq, Tv))
            if k == 2:
                scores = 1000.0 + 50.0 * scores  # exp(1000) overflows to inf
            cases.append((scores, rng.normal(size=(batch, Tv, d_v)), _random_mask(rng, batch, Tv)))
        return cases

    def judge(self, case, value):
        scores, values, mask = case
        context, weights = _as_pair(value)
        right_w = ref_softmax(scores, mask)
        right_c = right_w @ values
        tolerance = _float32_tolerance(scores)
        large = bool(np.abs(scores).max() > 500)
        if (
            isinstance(weights, np.ndarray)
            and isinstance(context, np.ndarray)
            and weights.shape == right_c.shape
            and context.shape == right_w.shape
            and (
                weights.shape != context.shape
                or np.allclose(np.asarray(context, float), right_w, **tolerance)
            )
        ):
            raise Failure(
                "you returned (weights, context); return them the other way round, "
                "(context, weights)."
            )
        wrong_axis = mask[:, :, None]  # (batch, T, 1): masks whole query rows
        if (
            isinstance(weights, np.ndarray)
            and weights.shape == right_w.shape
            and (right_w.shape[1] == right_w.shape[2])
        ):
            w = np.asarray(weights, dtype=float)
            with np.errstate(all="ignore"):
                by_rows = _plain_softmax(np.where(wrong_axis, scores, -1e9))
                inf_rows = _plain_softmax(np.where(wrong_axis, scores, -np.inf))
            if _same_with_nan(w, by_rows, tolerance) or _same_with_nan(w, inf_rows, tolerance):
                raise Failure(
                    "the mask was broadcast over the wrong axis: mask[:, :, None] masks whole "
                    "query rows (axis 1), but the mask belongs to the keys, the last axis. "
                    "Use mask[:, None, :], shape (batch, 1, Tv)."
                )
        if (
            isinstance(weights, np.ndarray)
            and weights.shape == right_w.shape
            and (not np.all(np.isfinite(np.asarray(weights, dtype=float))))
        ):
            if large:
                raise Failure(
                    "the weights contain NaN for large scores (about 1000): np.exp overflowed "
                    "to inf and inf / inf is NaN. Subtract each row's largest score before "
                    "np.exp; the softmax does not change, and the largest exponent becomes 0."
                )
            raise Failure(
                "the weights contain NaN or infinity. If you set masked scores to -inf, "
                "subtract the largest *allowed* score, and make sure no row is entirely "
                "masked (here none is)."
            )
        query_axis = (
            "the softmax runs over the query axis (axis 1): each key's weights sum to 1 "
            "instead of each query's. Normalise over the keys, the last axis."
        )
        if isinstance(weights, np.ndarray) and weights.shape == right_w.shape:
            w = weights.astype(float)
            rows_sum_to_one = np.allclose(w.sum(-1), 1.0, atol=1e-6)
            if not rows_sum_to_one and np.allclose(w.sum(1)[mask], 1.0, atol=1e-6):
                raise Failure(query_axis)
        allowed = mask[:, None, :]
        penalised = np.where(allowed, scores, scores - 1e9)
        with np.errstate(over="ignore", invalid="ignore"):
            mistakes_w = [
                (
                    "the mask is not applied: masked keys still get weight. Give them a score "
                    "of -inf (or a very negative number) before the softmax.",
                    _plain_softmax(scores),
                ),
                (
                    "the mask is applied after the softmax: the masked weights are zero but the "
                    "rest no longer sum to 1. Mask the scores before the softmax (or "
                    "renormalise).",
                    _plain_softmax(scores) * allowed,
                ),
                (query_axis, _plain_softmax(penalised, axis=1)),
                (
                    "the softmax runs over the query axis (axis 1) and the mask is not applied: "
                    "normalise over the keys, the last axis, after masking the scores.",
                    _plain_softmax(scores, axis=1),
                ),
                (
                    "the weights are transposed: (batch, Tv, Tq) instead of (batch, Tq, Tv).",
                    _swap(right_w),
                ),
            ]
        compare_arrays(weights, right_w, mistakes_w, what="the weights", **tolerance)
        mistakes_c = []
        if right_w.shape[1] == right_w.shape[2]:
            mistakes_c.append(
                (
                    "the context uses the transposed weights: it should be weights @ values, "
                    "c_i = sum_j alpha_ij v_j, summing over the keys.",
                    _swap(right_w) @ values,
                )
            )
        mistakes_c += [
            (
                "the context is the unweighted sum of the values: multiply by the weights.",
                np.broadcast_to(values.sum(1, keepdims=True), right_c.shape),
            ),
            (
                "the context ignores the mask: use the masked weights, weights @ values.",
                _plain_softmax(scores) @ values,
            ),
        ]
        scale = max(1.0, float(np.abs(values).max()))
        context_tolerance = {**tolerance, "atol": tolerance["atol"] * scale}
        compare_arrays(context, right_c, mistakes_c, what="the context", **context_tolerance)


def _same_with_nan(got, wrong, tolerance) -> bool:
    """``got`` matches ``wrong``, NaNs in the same places included."""
    return got.shape == wrong.shape and bool(np.allclose(got, wrong, equal_nan=True, **tolerance))


# ---------------------------------------------------------------- exercise 4


def _dot_attention(
    query,
    value,
    value_mask=None,
    *,
    axis=-1,
    scale=None,
    softmax=True,
    mask_after=False,
    ignore_mask=False,
    transpose=False,
):
    """Dot attention with one term varied at a time (for the mistakes)."""
    scores = ref_dot(query, value)
    if scale is not None:
        scores = scores * scale
    allowed = (
        np.ones(scores.shape, bool)
        if value_mask is None or ignore_mask
        else np.broadcast_to(value_mask[:, None, :], scores.shape)
    )
    if not softmax:
        weights = np.where(allowed, scores, 0.0)
    elif mask_after:
        weights = _plain_softmax(scores, axis) * allowed
    else:
        weights = _plain_softmax(np.where(allowed, scores, scores - 1e9), axis)
    if transpose:
        weights = _swap(weights)
    return weights @ value


@register
class DotAttention(Exercise):
    """``DotAttention``: a Keras layer computing Luong dot attention, as
    ``keras.layers.Attention()`` does.

    A case is ``(query, value, value_mask)``; the check builds the learner's
    layer, calls it on ``[query, value]`` (with ``mask=[None, value_mask]``
    when the mask is given) and compares the context with the reference.
    """

    name = "DotAttention"
    lesson = "08"
    time_limit = 60.0  # the first Keras layer built in a process takes a while

    def cases(self, rng):
        batch, T, d = distinct_sizes(rng, 3, 2, 7)
        shapes = [(batch, T, T, d, False)]
        batch, Tq, Tv, d = distinct_sizes(rng, 4, 2, 8)
        shapes.append((batch, Tq, Tv, d, False))
        batch, Tq, Tv, d = distinct_sizes(rng, 4, 2, 8)
        shapes.append((batch, Tq, Tv, d, True))
        cases = []
        for batch, Tq, Tv, d, masked in shapes:
            query = rng.normal(size=(batch, Tq, d)).astype("float32")
            value = rng.normal(size=(batch, Tv, d)).astype("float32")
            cases.append((query, value, _random_mask(rng, batch, Tv) if masked else None))
        return cases

    def run(self, function, case):
        query, value, value_mask = case
        import keras

        layer = function()
        if not isinstance(layer, keras.layers.Layer):
            return {"type": type(layer).__name__, "output": None}
        if value_mask is None:
            output = layer([query, value])
        else:
            output = layer([query, value], mask=[None, value_mask])
        return {"type": "Layer", "output": output}

    def judge(self, case, value):
        query, value_in, value_mask = case
        if not isinstance(value, dict):
            raise Failure(f"expected a Keras layer's output, got {describe(value)}.")
        if value.get("type") != "Layer":
            raise Failure(
                "DotAttention should be a subclass of keras.layers.Layer; calling it "
                f"gave a {value.get('type')}."
            )
        q, v = np.asarray(query, float), np.asarray(value_in, float)
        right = _dot_attention(q, v, value_mask)
        mistakes = [
            (
                "the softmax runs over the query axis: use axis=-1 (the keys).",
                _dot_attention(q, v, value_mask, axis=1),
            ),
            (
                "the softmax seems missing: the weights are the raw scores.",
                _dot_attention(q, v, value_mask, softmax=False),
            ),
            (
                "the scores are scaled by 1/sqrt(d): keras.layers.Attention() does not scale "
                "them (only with use_scale=True, by a learned scalar).",
                _dot_attention(q, v, value_mask, scale=1 / np.sqrt(q.shape[-1])),
            ),
        ]
        if q.shape[1] == v.shape[1]:
            mistakes.append(
                (
                    "the weights look transposed: the context is weights @ value "
                    "with weights (batch, Tq, Tv).",
                    _dot_attention(q, v, value_mask, transpose=True),
                )
            )
        if value_mask is not None:
            mistakes += [
                (
                    "the mask is not applied: masked keys (value_mask False) still get weight. "
                    "Replace their scores by a very negative number before the softmax.",
                    _dot_attention(q, v, value_mask, ignore_mask=True),
                ),
                (
                    "the mask is applied after the softmax: the remaining weights no longer sum "
                    "to 1. Mask the scores before the softmax.",
                    _dot_attention(q, v, value_mask, mask_after=True),
                ),
            ]
        # the layer computes in float32 (Keras's default): allow float32 rounding
        compare_arrays(
            value.get("output"), right, mistakes, what="the layer's output", rtol=1e-4, atol=1e-5
        )
