"""Beam search and sequence scoring (rnncourse.training), against greedy decoding
and against exhaustive search on small problems."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from rnncourse.training import (
    beam_search,
    greedy_decode,
    keras_step_function,
    sequence_log_probability,
)


def markov_step(seed, vocabulary=4, start_token=None, logits=False):
    """A random decoder whose next-token distribution depends on the previous token and
    on a per-row bias held in the state (so that rows differ)."""
    rng = np.random.default_rng(seed)
    size = vocabulary + 1  # the start token is the extra id
    table = rng.normal(0.0, 1.5, size=(size, vocabulary))

    def step(tokens, states):
        bias = np.asarray(states[0])
        raw = table[np.asarray(tokens).astype(int)] + bias
        if logits:
            return raw, [bias]
        p = np.exp(raw - raw.max(axis=1, keepdims=True))
        return p / p.sum(axis=1, keepdims=True), [bias]

    return step


def exhaustive_best(
    step,
    bias_row,
    *,
    start_token,
    end_token,
    vocabulary,
    max_length,
    length_penalty,
    scores="probabilities",
):
    """Every finished output of at most max_length tokens, and every unfinished one of
    exactly max_length tokens, scored; the best by the length-normalised score."""
    others = [v for v in range(vocabulary) if v != end_token]
    candidates = []
    for length in range(max_length):
        candidates += [list(p) + [end_token] for p in itertools.product(others, repeat=length)]
    candidates += [list(p) for p in itertools.product(others, repeat=max_length)]
    best = None
    for sequence in candidates:
        log_p, n = sequence_log_probability(
            step,
            [bias_row],
            np.array([sequence]),
            start_token=start_token,
            end_token=end_token,
            scores=scores,
        )
        score = log_p[0] / n[0] ** length_penalty
        if best is None or score > best[0] + 1e-12:
            best = (score, sequence)
    return best


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("kind", ["probabilities", "logits"])
def test_beam_of_one_is_greedy_decoding(seed, kind):
    step = markov_step(seed, logits=kind == "logits")
    bias = np.random.default_rng(100 + seed).normal(0, 1.0, size=(7, 4))
    greedy = greedy_decode(step, [bias], start_token=4, end_token=0, max_length=6)
    beam = beam_search(
        step, [bias], start_token=4, end_token=0, beam_width=1, max_length=6, scores=kind
    )
    assert np.array_equal(beam.tokens, greedy)
    log_p, lengths = sequence_log_probability(
        step, [bias], greedy, start_token=4, end_token=0, scores=kind
    )
    assert np.allclose(beam.log_probs, log_p) and np.array_equal(beam.lengths, lengths)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("length_penalty", [0.0, 1.0])
def test_a_wide_beam_finds_the_exhaustive_optimum(seed, length_penalty):
    step = markov_step(seed, vocabulary=3)
    bias = np.random.default_rng(200 + seed).normal(0, 1.0, size=(3, 3))
    beam = beam_search(
        step,
        [bias],
        start_token=3,
        end_token=1,
        beam_width=64,
        max_length=4,
        length_penalty=length_penalty,
    )
    for row in range(len(bias)):
        score, sequence = exhaustive_best(
            step,
            bias[row : row + 1],
            start_token=3,
            end_token=1,
            vocabulary=3,
            max_length=4,
            length_penalty=length_penalty,
        )
        assert np.isclose(beam.scores[row], score)
        assert beam.tokens[row, : beam.lengths[row]].tolist() == sequence


@pytest.mark.parametrize("width", [2, 3, 5])
def test_scores_are_the_normalised_log_probabilities_of_the_tokens(width):
    step = markov_step(7, vocabulary=5)
    bias = np.random.default_rng(7).normal(0, 1.0, size=(6, 5))
    beam = beam_search(
        step, [bias], start_token=5, end_token=2, beam_width=width, max_length=7, length_penalty=0.7
    )
    log_p, lengths = sequence_log_probability(step, [bias], beam.tokens, start_token=5, end_token=2)
    assert np.allclose(beam.log_probs, log_p)
    assert np.array_equal(beam.lengths, lengths)
    assert np.allclose(beam.scores, beam.log_probs / beam.lengths**0.7)
    assert beam.tokens.dtype == np.int64 and beam.tokens.shape[0] == 6
    # after a row's END comes only END (padding)
    for row, n in zip(beam.tokens, beam.lengths):
        assert np.all(row[n:] == 2)


def test_greedy_misses_what_a_beam_of_two_finds():
    table = {3: [0.5, 0.4, 0.1], 0: [0.35, 0.25, 0.4], 1: [0.05, 0.05, 0.9]}

    def step(tokens, states):
        return np.array([table[int(t)] for t in tokens]), states

    states = [np.zeros((1, 1))]
    greedy = greedy_decode(step, states, start_token=3, end_token=2, max_length=3)
    beam = beam_search(step, states, start_token=3, end_token=2, beam_width=2, max_length=3)
    assert greedy.tolist() == [[0, 2]] and beam.tokens.tolist() == [[1, 2]]
    assert np.isclose(np.exp(beam.log_probs[0]), 0.36)


def test_states_follow_their_beams():
    """The state of each beam must be the one of its own prefix: here the state counts
    the tokens 1 a prefix holds, and the model ends a prefix once it holds two."""

    def step(tokens, states):
        count = states[0] + (np.asarray(tokens) == 1)[:, None]
        p = np.where(count >= 2, [0.05, 0.05, 0.9], [0.3, 0.6, 0.1])
        return p, [count]

    beam = beam_search(
        step, [np.zeros((2, 1))], start_token=0, end_token=2, beam_width=3, max_length=6
    )
    for row, n in zip(beam.tokens, beam.lengths):
        assert (row[:n] == 1).sum() == 2 and row[n - 1] == 2


def test_with_a_keras_step_model():
    import keras

    keras.utils.set_random_seed(0)
    token = keras.Input((1,), dtype="int32")
    state = keras.Input((5,))
    embedded = keras.layers.Embedding(6, 4)(token)
    sequence, new_state = keras.layers.GRU(5, return_sequences=True, return_state=True)(
        embedded, initial_state=state
    )
    scores = keras.layers.Dense(6, activation="softmax")(sequence)
    step = keras_step_function(keras.Model([token, state], [scores, new_state]))
    initial = [np.random.default_rng(0).normal(size=(4, 5)).astype("float32")]
    greedy = greedy_decode(step, initial, start_token=1, end_token=2, max_length=5)
    beam1 = beam_search(step, initial, start_token=1, end_token=2, beam_width=1, max_length=5)
    beam3 = beam_search(step, initial, start_token=1, end_token=2, beam_width=3, max_length=5)
    assert np.array_equal(beam1.tokens, greedy)
    log_p, _ = sequence_log_probability(step, initial, beam3.tokens, start_token=1, end_token=2)
    assert np.allclose(log_p, beam3.log_probs, atol=1e-5)


def test_bad_arguments():
    step = markov_step(0)
    states = [np.zeros((2, 4))]
    with pytest.raises(ValueError, match="beam_width"):
        beam_search(step, states, start_token=4, end_token=0, beam_width=0, max_length=3)
    with pytest.raises(ValueError, match="max_length"):
        beam_search(step, states, start_token=4, end_token=0, beam_width=2, max_length=0)
    with pytest.raises(ValueError, match="scores"):
        beam_search(
            step, states, start_token=4, end_token=0, beam_width=2, max_length=3, scores="odds"
        )
    with pytest.raises(ValueError, match="tokens"):
        sequence_log_probability(step, states, np.zeros(3), start_token=4, end_token=0)
