"""rnncourse.reference.linear_attention: the parallel and recurrent forms, φ, the sizes."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.reference import linear_attention as la


def test_elu_plus_one_is_positive_and_continuous():
    x = np.array([-50.0, -1.0, -1e-9, 0.0, 1e-9, 2.0])
    phi = la.elu_plus_one(x)
    assert np.all(phi > 0)
    np.testing.assert_allclose(phi, [np.exp(-50), np.exp(-1), 1.0, 1.0, 1.0, 3.0], atol=1e-8)


def test_parallel_equals_recurrent_and_is_causal():
    rng = np.random.default_rng(1)
    q, k, v = rng.normal(size=(3, 12, 4)), rng.normal(size=(3, 12, 4)), rng.normal(size=(3, 12, 2))
    out = la.linear_attention_parallel(q, k, v)
    np.testing.assert_allclose(out, la.linear_attention_recurrent(q, k, v), atol=1e-12)
    k2, v2 = k.copy(), v.copy()
    k2[:, 7:] += 5.0
    v2[:, 7:] -= 3.0
    np.testing.assert_allclose(la.linear_attention_parallel(q, k2, v2)[:, :7], out[:, :7])


def test_first_output_is_the_first_value_and_outputs_are_averages():
    rng = np.random.default_rng(2)
    q, k, v = rng.normal(size=(2, 6, 3)), rng.normal(size=(2, 6, 3)), rng.normal(size=(2, 6, 5))
    out = la.linear_attention_recurrent(q, k, v)
    np.testing.assert_allclose(out[:, 0], v[:, 0])
    for t in range(6):  # a weighted average lies between the smallest and largest value so far
        assert np.all(out[:, t] <= v[:, : t + 1].max(axis=1) + 1e-12)
        assert np.all(out[:, t] >= v[:, : t + 1].min(axis=1) - 1e-12)


def test_custom_feature_map():
    rng = np.random.default_rng(3)
    q, k, v = rng.normal(size=(1, 5, 2)), rng.normal(size=(1, 5, 2)), rng.normal(size=(1, 5, 2))
    square = lambda a: a**2 + 1.0  # noqa: E731
    np.testing.assert_allclose(la.linear_attention_parallel(q, k, v, feature_map=square),
                               la.linear_attention_recurrent(q, k, v, feature_map=square))


@pytest.mark.parametrize(
    ("shapes", "words"),
    [
        (((2, 3, 4), (2, 3, 5), (2, 3, 1)), "same shape"),
        (((2, 3, 4), (2, 3, 4), (2, 4, 1)), "batch and time"),
        (((3, 4), (3, 4), (3, 1)), "(batch, time, features)"),
    ],
)
def test_shape_errors(shapes, words):
    q, k, v = (np.zeros(s) for s in shapes)
    for function in (la.linear_attention_parallel, la.linear_attention_recurrent):
        with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
            function(q, k, v)


def test_sizes():
    assert la.linear_attention_state_size(8, 5) == 48
    assert la.softmax_attention_cache_size(10, 8, 5) == 130
