"""Lesson 08's checks against right answers and the typical wrong ones.

Every wrong answer must fail with the message that names its mistake; the
right answer must pass; the stub is "not attempted".
"""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.checks import FAILED, NOT_ATTEMPTED, PASSED, check_function
from rnncourse.checks.lesson08 import _dot_attention
from rnncourse.reference.attention import attention as ref_attention


def _stub(*args):
    raise NotImplementedError("write your code here")


def _t(a):
    return np.swapaxes(a, -1, -2)


# ---------------------------------------------------------------- general scores

GENERAL_ANSWERS = {
    "right": (lambda q, k, W: q @ W @ _t(k), PASSED, "agree"),
    "wrong axes": (lambda q, k, W: k @ W.T @ _t(q), FAILED, "(batch, Tv, Tq)"),
    "transposed W": (lambda q, k, W: q @ W.T @ _t(k), FAILED, "W looks transposed"),
    "no W": (lambda q, k, W: q @ _t(k), FAILED, "W seems missing"),
    "scaled": (lambda q, k, W: q @ W @ _t(k) / np.sqrt(k.shape[-1]), FAILED, "1/sqrt(d)"),
    "stub": (_stub, NOT_ATTEMPTED, "NotImplementedError"),
}


@pytest.mark.parametrize("answer", GENERAL_ANSWERS)
def test_luong_general_scores(answer):
    function, status, words = GENERAL_ANSWERS[answer]
    verdict = check_function("luong_general_scores", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


# ---------------------------------------------------------------- additive scores


def _additive(
    tanh=True, v_inside=True, use_v=True, swap_axes=False, tq=False, tk=False, swap_weights=False
):
    def scores(q, k, W_q, W_k, v):
        if swap_weights:
            W_q, W_k = W_k, W_q
        pq = q @ (W_q.T if tq else W_q)
        pk = k @ (W_k.T if tk else W_k)
        if swap_axes:
            pre = pq[:, None, :, :] + pk[:, :, None, :]
        else:
            pre = pq[:, :, None, :] + pk[:, None, :, :]
        if not use_v:
            return np.tanh(pre).sum(-1)
        if not tanh:
            return pre @ v
        return np.tanh(pre) @ v if v_inside else np.tanh(pre @ v)

    return scores


ADDITIVE_ANSWERS = {
    "right": (_additive(), PASSED, "agree"),
    "no tanh": (_additive(tanh=False), FAILED, "tanh seems missing"),
    "tanh after v": (_additive(v_inside=False), FAILED, "tanh after multiplying by v"),
    "no v": (_additive(use_v=False), FAILED, "vector v seems missing"),
    "wrong axes": (_additive(swap_axes=True), FAILED, "(batch, Tv, Tq)"),
    "transposed W_q": (_additive(tq=True), FAILED, "W_q looks transposed"),
    "transposed W_k": (_additive(tk=True), FAILED, "W_k looks transposed"),
    "swapped weights": (_additive(swap_weights=True), FAILED, "look swapped"),
    "stub": (_stub, NOT_ATTEMPTED, "NotImplementedError"),
}


@pytest.mark.parametrize("answer", ADDITIVE_ANSWERS)
def test_bahdanau_scores(answer):
    function, status, words = ADDITIVE_ANSWERS[answer]
    verdict = check_function("bahdanau_scores", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


# ---------------------------------------------------------------- weights and context


def _masked(
    axis=-1,
    use_mask=True,
    mask_after=False,
    subtract_max=True,
    transpose_ctx=False,
    pair=True,
    use_inf=True,
):
    def attend(scores, values, mask):
        allowed = mask[:, None, :]
        s = scores
        if use_mask and not mask_after:
            s = np.where(allowed, scores, -np.inf if use_inf else -1e9)
        with np.errstate(over="ignore", invalid="ignore"):
            if subtract_max:
                s = s - s.max(axis=axis, keepdims=True)
            e = np.exp(s)
            w = e / e.sum(axis=axis, keepdims=True)
        if mask_after:
            w = w * allowed
        context = (_t(w) if transpose_ctx else w) @ values
        return (context, w) if pair else context

    return attend


def _masked_float32(scores, values, mask):
    s = np.where(mask[:, None, :], scores, -np.inf).astype(np.float32)
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    w = e / e.sum(axis=-1, keepdims=True)
    return w @ values.astype(np.float32), w


def _masked_wrong_axis(use_inf):
    def attend(scores, values, mask):
        s = np.where(mask[:, :, None], scores, -np.inf if use_inf else -1e9)
        with np.errstate(invalid="ignore"):
            e = np.exp(s - s.max(axis=-1, keepdims=True))
            w = e / e.sum(axis=-1, keepdims=True)
        return w @ values, w

    return attend


def _masked_swapped_pair(scores, values, mask):
    context, weights = _masked()(scores, values, mask)
    return weights, context


MASKED_ANSWERS = {
    "right (float32)": (_masked_float32, PASSED, "agree"),
    "mask on the wrong axis (-inf)": (_masked_wrong_axis(True), FAILED, "wrong axis"),
    "mask on the wrong axis (-1e9)": (_masked_wrong_axis(False), FAILED, "wrong axis"),
    "(weights, context)": (_masked_swapped_pair, FAILED, "other way round"),
    "right (-inf)": (_masked(), PASSED, "agree"),
    "right (-1e9)": (_masked(use_inf=False), PASSED, "agree"),
    "query axis": (_masked(axis=1, use_inf=False), FAILED, "query axis"),
    "no mask": (_masked(use_mask=False), FAILED, "mask is not applied"),
    "mask after softmax": (_masked(mask_after=True), FAILED, "after the softmax"),
    "no max subtracted": (_masked(subtract_max=False), FAILED, "Subtract each row's largest"),
    "transposed weights in context": (_masked(transpose_ctx=True), FAILED, "transposed weights"),
    "context only": (_masked(pair=False), FAILED, "return a pair"),
    "stub": (_stub, NOT_ATTEMPTED, "NotImplementedError"),
}


@pytest.mark.parametrize("answer", MASKED_ANSWERS)
def test_masked_attention(answer):
    function, status, words = MASKED_ANSWERS[answer]
    verdict = check_function("masked_attention", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


@pytest.mark.parametrize(
    "answer", ["right (float32)", "mask on the wrong axis (-inf)", "(weights, context)"]
)
def test_masked_attention_same_verdict_on_every_draw(answer):
    """Scores near 1000 are in every draw; a float32 answer loses about 1e-4 there."""
    function, status, words = MASKED_ANSWERS[answer]
    for seed in range(30):
        verdict = check_function("masked_attention", function, seed=seed)
        assert verdict.status == status and words in verdict.message, (seed, verdict)


# ---------------------------------------------------------------- the Keras layer


def _layer_class(
    keras,
    *,
    axis=-1,
    use_mask=True,
    mask_after=False,
    scale=False,
    softmax=True,
    transpose=False,
    raises=False,
    kind="layer",
):
    ops = keras.ops

    class Answer(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True

        def compute_mask(self, inputs, mask=None):
            return None

        def call(self, inputs, mask=None):
            if raises:
                raise NotImplementedError("DotAttention: write your code here")
            query, value = inputs[0], inputs[1]
            value_mask = None if mask is None else mask[1]
            scores = ops.matmul(query, ops.transpose(value, (0, 2, 1)))
            if scale:
                scores = scores / np.sqrt(query.shape[-1])
            if value_mask is not None and use_mask and not mask_after:
                keep = ops.expand_dims(ops.cast(value_mask, "bool"), 1)
                scores = ops.where(keep, scores, -1e9)
            weights = ops.softmax(scores, axis=axis) if softmax else scores
            if value_mask is not None and mask_after:
                weights = weights * ops.expand_dims(ops.cast(value_mask, weights.dtype), 1)
            if transpose:
                weights = ops.transpose(weights, (0, 2, 1))
            return ops.matmul(weights, value)

    if kind == "dense":
        return lambda: keras.layers.Dense(3)
    return Answer


LAYER_ANSWERS = {
    "right": ({}, PASSED, "agree"),
    "query axis": ({"axis": 1}, FAILED, "query axis"),
    "no softmax": ({"softmax": False}, FAILED, "softmax seems missing"),
    "scaled": ({"scale": True}, FAILED, "1/sqrt(d)"),
    "transposed": ({"transpose": True}, FAILED, "transposed"),
    "mask ignored": ({"use_mask": False}, FAILED, "mask is not applied"),
    "mask after": ({"mask_after": True}, FAILED, "after the softmax"),
    "stub": ({"raises": True}, NOT_ATTEMPTED, "NotImplementedError"),
}


@pytest.mark.parametrize("answer", LAYER_ANSWERS)
def test_dot_attention_layer(answer):
    from rnncourse.environment import import_keras_quietly

    keras = import_keras_quietly()
    options, status, words = LAYER_ANSWERS[answer]
    verdict = check_function("DotAttention", _layer_class(keras, **options))
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


def test_dot_attention_reference_is_keras_attention():
    """The check's expected value is what keras.layers.Attention computes."""
    from rnncourse.environment import import_keras_quietly

    keras = import_keras_quietly()
    rng = np.random.default_rng(0)
    query = rng.normal(size=(3, 4, 5)).astype("float32")
    value = rng.normal(size=(3, 6, 5)).astype("float32")
    mask = rng.random((3, 6)) < 0.6
    mask[:, 0] = True
    built_in = keras.layers.Attention()([query, value], mask=[None, mask])
    ours = _dot_attention(query.astype(float), value.astype(float), mask)
    np.testing.assert_allclose(np.asarray(built_in), ours, rtol=1e-5, atol=1e-5)
    context, _ = ref_attention(query, value, mask=mask)
    np.testing.assert_allclose(context, ours, atol=1e-6)


def test_not_a_layer_fails():
    verdict = check_function("DotAttention", lambda: "not a layer")
    assert verdict.status == FAILED
    assert "subclass of keras.layers.Layer" in verdict.message
