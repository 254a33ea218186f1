"""Sampling from a character model: temperature, top-k and nucleus (top-p) filtering."""

import numpy as np
import pytest

from rnncourse.data import text

P = np.array([[0.05, 0.4, 0.1, 0.3, 0.15], [0.2, 0.2, 0.2, 0.2, 0.2]])


def test_top_k_keeps_the_k_largest_and_renormalises():
    kept = text.top_k_probabilities(P, 2)
    np.testing.assert_allclose(kept[0], [0, 0.4 / 0.7, 0, 0.3 / 0.7, 0])
    np.testing.assert_allclose(kept[1], [0.5, 0.5, 0, 0, 0])  # ties: the lower index stays
    np.testing.assert_allclose(text.top_k_probabilities(P, 1)[0], [0, 1, 0, 0, 0])
    np.testing.assert_allclose(text.top_k_probabilities(P, 5), P)
    np.testing.assert_allclose(text.top_k_probabilities(P, 50), P)  # k > V keeps all
    assert np.all((text.top_k_probabilities(P, 3) > 0).sum(-1) == 3)


def test_nucleus_keeps_the_smallest_set_that_reaches_p():
    # sorted: 0.4, 0.3, 0.15, 0.1, 0.05; cumulative 0.4, 0.7, 0.85, 0.95, 1.0
    for top_p, kept_ids in [
        (0.3, [1]),
        (0.39, [1]),
        (0.5, [1, 3]),
        (0.69, [1, 3]),
        (0.8, [1, 3, 4]),
        (0.9, [1, 3, 4, 2]),
        (0.99, [0, 1, 2, 3, 4]),
    ]:
        kept = text.nucleus_probabilities(P[0], top_p)
        assert sorted(np.flatnonzero(kept)) == sorted(kept_ids), top_p
        np.testing.assert_allclose(kept[kept_ids], P[0, kept_ids] / P[0, kept_ids].sum())
    np.testing.assert_allclose(text.nucleus_probabilities(P, 1.0), P)
    # a confident row keeps one entry, a flat one keeps many: the nucleus adapts
    rows = text.nucleus_probabilities(np.array([[0.95, 0.03, 0.02], [0.34, 0.33, 0.33]]), 0.9)
    assert (rows > 0).sum(-1).tolist() == [1, 3]


@pytest.mark.parametrize("bad", [0.0, -0.1, 1.5, "0.9", np.array([0.5, 0.5])])
def test_nucleus_rejects_a_bad_p(bad):
    with pytest.raises(ValueError, match="top_p"):
        text.nucleus_probabilities(P, bad)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_top_k_rejects_a_bad_k(bad):
    with pytest.raises(ValueError, match="k must"):
        text.top_k_probabilities(P, bad)


def test_bad_probabilities_are_rejected():
    with pytest.raises(ValueError, match="non-negative"):
        text.top_k_probabilities([0.5, -0.1, 0.6], 1)
    with pytest.raises(ValueError, match="last axis"):
        text.nucleus_probabilities(np.zeros((2, 0)), 0.5)


def test_sampling_never_draws_a_removed_character():
    rng = np.random.default_rng(0)
    logits = np.log(P[0])
    top2 = {text.sample_with_temperature(logits, 1.0, rng, top_k=2) for _ in range(500)}
    nucleus = {text.sample_with_temperature(logits, 1.0, rng, top_p=0.8) for _ in range(500)}
    assert top2 == {1, 3} and nucleus == {1, 3, 4}
    plain = {text.sample_with_temperature(logits, 1.0, rng) for _ in range(500)}
    assert plain == {0, 1, 2, 3, 4}


def test_sampling_frequencies_follow_the_filtered_distribution():
    rng = np.random.default_rng(1)
    logits = np.log(P[0])
    draws = [text.sample_with_temperature(logits, 1.0, rng, top_p=0.9) for _ in range(20_000)]
    frequencies = np.bincount(draws, minlength=5) / len(draws)
    np.testing.assert_allclose(frequencies, text.nucleus_probabilities(P[0], 0.9), atol=0.015)


def test_one_uniform_number_per_draw_whatever_the_cut():
    logits = np.array([0.3, 2.0, -1.0, 1.2, 0.0])
    for options in ({}, {"top_k": 2}, {"top_p": 0.7}, {"top_k": 3, "top_p": 0.5}):
        rng = np.random.default_rng(5)
        text.sample_with_temperature(logits, 0.8, rng, **options)
        after = rng.random()
        assert after == np.random.default_rng(5).random(2)[1], options
    # same uniform number: with everything cut but the favourite, the favourite is drawn
    assert text.sample_with_temperature(logits, 1.0, np.random.default_rng(9), top_k=1) == 1
    assert text.sample_with_temperature(logits, 1.0, np.random.default_rng(9), top_p=1e-6) == 1


def test_top_k_and_nucleus_agree_with_the_temperature_first():
    logits = np.array([[2.0, 1.0, 0.5, -1.0]])
    tempered = text.tempered_probabilities(logits, 0.5)
    np.testing.assert_allclose(text.top_k_probabilities(tempered, 4), tempered)
    assert text.top_k_probabilities(tempered, 2)[0, 2:].tolist() == [0.0, 0.0]
