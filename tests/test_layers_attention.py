"""Attention layers against keras.layers.Attention / AdditiveAttention and the NumPy reference."""

import numpy as np
import pytest

from rnncourse.environment import import_keras_quietly
from rnncourse.layers import BahdanauAttention, LuongAttention
from rnncourse.reference import attention

keras = import_keras_quietly()

RNG = np.random.default_rng(0)
QUERY = RNG.normal(size=(2, 3, 4)).astype("float32")
VALUES = RNG.normal(size=(2, 5, 4)).astype("float32")
KEYS = RNG.normal(size=(2, 5, 4)).astype("float32")
QUERY_MASK = np.array([[True, True, False], [True, True, True]])
VALUE_MASK = np.array([[True, True, True, False, False], [True] * 5])


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda: LuongAttention(), lambda: keras.layers.Attention()),
        (lambda: LuongAttention(use_scale=True), lambda: keras.layers.Attention(use_scale=True)),
        (lambda: BahdanauAttention(), lambda: keras.layers.AdditiveAttention()),
        (
            lambda: BahdanauAttention(use_scale=False),
            lambda: keras.layers.AdditiveAttention(use_scale=False),
        ),
    ],
)
def test_matches_keras_layers_with_masks(ours, theirs):
    mine, keras_layer = ours(), theirs()
    expected = keras_layer(
        [QUERY, VALUES, KEYS], mask=[QUERY_MASK, VALUE_MASK], return_attention_scores=True
    )
    mine([QUERY, VALUES, KEYS])
    mine.set_weights(keras_layer.get_weights())
    got = mine([QUERY, VALUES, KEYS], mask=[QUERY_MASK, VALUE_MASK], return_attention_scores=True)
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-6)
    weights = np.asarray(got[1])
    assert np.all(weights[0, :, 3:] == 0.0)
    assert np.all(np.asarray(got[0])[0, 2] == 0.0)  # masked query: zero context


def test_general_and_projected_scores_match_the_numpy_reference():
    query = RNG.normal(size=(2, 3, 6)).astype("float32")
    general = LuongAttention(score="general")
    context, weights = general(
        [query, VALUES], mask=[None, VALUE_MASK], return_attention_scores=True
    )
    (W,) = general.get_weights()
    ref_context, ref_weights = attention(query, VALUES, score="general", W=W, mask=VALUE_MASK)
    np.testing.assert_allclose(np.asarray(context), ref_context, atol=1e-5)
    np.testing.assert_allclose(np.asarray(weights), ref_weights, atol=1e-6)
    bahdanau = BahdanauAttention(units=7)
    context = bahdanau([query, VALUES])
    W_q, W_k, scale = bahdanau.get_weights()
    ref_context, _ = attention(query, VALUES, score="additive", v=scale, W_q=W_q, W_k=W_k)
    np.testing.assert_allclose(np.asarray(context), ref_context, atol=1e-5)


def test_embedding_mask_propagates_and_model_round_trips(tmp_path):
    tokens = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(10, 4, mask_zero=True)(tokens)
    context, weights = BahdanauAttention(units=5)(
        [embedded, embedded], return_attention_scores=True
    )
    context2 = LuongAttention(score="general", use_scale=True)([context, embedded])
    model = keras.Model(tokens, [context2, weights])
    batch = np.array([[3, 4, 0, 0], [1, 2, 5, 6]])
    out, attention_weights = model(batch)
    np.testing.assert_array_equal(np.asarray(attention_weights)[0, :, 2:], 0.0)
    model.save(tmp_path / "attention.keras")
    loaded = keras.models.load_model(tmp_path / "attention.keras")
    for a, b in zip(loaded(batch), model(batch), strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-6)
    assert any(isinstance(layer, LuongAttention) for layer in loaded.layers)


@pytest.fixture
def mixed_float16():
    """The global policy "mixed_float16" for one test, restored afterwards."""
    previous = keras.mixed_precision.dtype_policy()
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    try:
        yield
    finally:
        keras.mixed_precision.set_dtype_policy(previous)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda: LuongAttention(), lambda: keras.layers.Attention()),
        (lambda: BahdanauAttention(), lambda: keras.layers.AdditiveAttention()),
    ],
)
def test_fully_masked_rows_under_mixed_float16(mixed_float16, ours, theirs):
    """A fixed penalty of 1e9 overflows float16 to -inf and a row of -inf gives NaN; the
    masked score must fit the compute dtype. Keras gives such a row uniform weights."""
    mine, keras_layer = ours(), theirs()
    assert mine.compute_dtype == "float16"
    value_mask = np.array([[False] * 5, [True, True, False, True, False]])
    expected = keras_layer([QUERY, VALUES], mask=[None, value_mask], return_attention_scores=True)
    mine([QUERY, VALUES])
    mine.set_weights(keras_layer.get_weights())
    context, weights = mine([QUERY, VALUES], mask=[None, value_mask], return_attention_scores=True)
    assert keras.backend.standardize_dtype(weights.dtype) == "float16"
    weights, context = np.asarray(weights, dtype=np.float64), np.asarray(context, np.float64)
    assert np.all(np.isfinite(weights)) and np.all(np.isfinite(context))
    np.testing.assert_allclose(weights[0], 0.2, atol=1e-3)  # all keys masked: uniform
    assert np.all(weights[1][:, ~value_mask[1]] == 0.0)
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=2e-3)
    np.testing.assert_allclose(weights, np.asarray(expected[1], np.float64), atol=2e-3)
    np.testing.assert_allclose(context, np.asarray(expected[0], np.float64), atol=1e-2)


def test_the_policy_is_restored_after_the_mixed_precision_test():
    assert keras.mixed_precision.dtype_policy().name == "float32"


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match=r"list \[query, value\]"):
        LuongAttention()(QUERY)
    with pytest.raises(ValueError, match=r"query_dim 6 and key_dim 4.*score='general'"):
        LuongAttention()([RNG.normal(size=(2, 3, 6)).astype("float32"), VALUES])
    with pytest.raises(ValueError, match=r"\(batch, Tq, dim\).*\(3, 4\)"):
        BahdanauAttention()([QUERY[0], VALUES])
    with pytest.raises(ValueError, match="score must be"):
        LuongAttention(score="concat")
