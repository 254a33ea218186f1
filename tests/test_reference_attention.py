"""NumPy attention against Keras's attention layers and the definitions."""

import warnings

import numpy as np
import pytest

from rnncourse.environment import import_keras_quietly
from rnncourse.reference import (
    additive_scores,
    attention,
    dot_scores,
    general_scores,
    masked_softmax,
)

keras = import_keras_quietly()

RNG = np.random.default_rng(0)
QUERY = RNG.normal(size=(2, 3, 4)).astype("float32")
VALUES = RNG.normal(size=(2, 5, 4)).astype("float32")
VALUE_MASK = np.array([[True, True, True, False, False], [True] * 5])


def test_dot_attention_matches_keras_attention_with_mask_and_scale():
    layer = keras.layers.Attention(use_scale=True)
    layer([QUERY, VALUES])
    layer.set_weights([np.array(0.7, dtype="float32")])
    context, weights = layer([QUERY, VALUES], mask=[None, VALUE_MASK], return_attention_scores=True)
    ours, our_weights = attention(QUERY, VALUES, score="dot", mask=VALUE_MASK, scale=0.7)
    np.testing.assert_allclose(ours, np.asarray(context), atol=1e-5)
    np.testing.assert_allclose(our_weights, np.asarray(weights), atol=1e-6)
    assert np.all(our_weights[0, :, 3:] == 0.0)
    np.testing.assert_allclose(our_weights.sum(axis=-1), 1.0, rtol=1e-6)


def test_additive_without_projections_matches_keras_additive_attention():
    layer = keras.layers.AdditiveAttention()
    keys = RNG.normal(size=VALUES.shape).astype("float32")
    context, weights = layer([QUERY, VALUES, keys], return_attention_scores=True)
    (scale,) = layer.get_weights()
    ours, our_weights = attention(QUERY, VALUES, keys, score="additive", v=scale)
    np.testing.assert_allclose(ours, np.asarray(context), atol=1e-5)
    np.testing.assert_allclose(our_weights, np.asarray(weights), atol=1e-6)


def test_scores_follow_their_definitions():
    W = RNG.normal(size=(4, 6))
    keys = RNG.normal(size=(2, 5, 6))
    s = general_scores(QUERY, keys, W)
    assert s.shape == (2, 3, 5)
    assert s[1, 2, 4] == pytest.approx(QUERY[1, 2] @ W @ keys[1, 4], rel=1e-6)
    W_q, W_k, v = RNG.normal(size=(4, 7)), RNG.normal(size=(6, 7)), RNG.normal(size=7)
    a = additive_scores(QUERY, keys, v, W_q, W_k)
    assert a[0, 1, 3] == pytest.approx(v @ np.tanh(QUERY[0, 1] @ W_q + keys[0, 3] @ W_k), rel=1e-6)
    assert dot_scores(QUERY, VALUES)[1, 0, 2] == pytest.approx(QUERY[1, 0] @ VALUES[1, 2], rel=1e-5)


def test_masked_softmax_gives_masked_positions_zero_and_empty_rows_zero():
    scores = RNG.normal(size=(1, 2, 3)) * 100  # large scores: still stable
    mask = np.array([[[True, False, True], [False, False, False]]])
    weights = masked_softmax(scores, mask)
    assert weights[0, 0, 1] == 0.0
    assert weights[0, 0].sum() == pytest.approx(1.0)
    np.testing.assert_array_equal(weights[0, 1], 0.0)
    assert np.all(np.isfinite(weights))


def test_masked_softmax_in_float16_has_no_nan_and_no_warning():
    scores = np.array([[[60000.0, -60000.0, 3.0], [1.0, 2.0, 3.0]]], dtype=np.float16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        some = masked_softmax(scores, np.array([[True, True, False]]))
        none = masked_softmax(scores, np.zeros((1, 3), dtype=bool))
    np.testing.assert_allclose(some[0, 0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(some.sum(-1), 1.0, atol=1e-3)
    np.testing.assert_array_equal(none, 0.0)


def test_attention_input_errors():
    with pytest.raises(ValueError, match="same size"):
        dot_scores(QUERY, RNG.normal(size=(2, 5, 6)))
    with pytest.raises(ValueError, match=r"W should have shape \(4, 4\)"):
        general_scores(QUERY, VALUES, np.eye(3))
    with pytest.raises(ValueError, match="score must be one of"):
        attention(QUERY, VALUES, score="cosine")
    with pytest.raises(ValueError, match=r"query should have shape \(batch, Tq, dim\)"):
        dot_scores(QUERY[0], VALUES)
    with pytest.raises(ValueError, match="mask should have shape"):
        masked_softmax(np.zeros((2, 3, 5)), np.ones((2, 4), bool))
