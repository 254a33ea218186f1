"""The tagging task: tags need the next word; the causal ceiling is exact."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncourse.data.tagging import AMBIGUOUS_WORDS, TAGS, WORDS, TaggingTask

AMBIGUOUS_IDS = [WORDS.index(w) for w in AMBIGUOUS_WORDS]


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), length=st.integers(2, 30),
       p=st.floats(0, 1), q=st.floats(0, 1))
def test_tags_are_a_function_of_word_and_next_word(seed, length, p, q):
    task = TaggingTask(length=length, ambiguous_rate=p, company_probability=q)
    data = task.generate(40, seed=seed)
    assert data.tokens.shape == data.tags.shape == (40, length)
    assert data.tokens.dtype == data.tags.dtype == np.int32
    assert (data.tokens > 0).all() and (data.tags > 0).all()  # no padding produced
    assert np.array_equal(task.full_context_tags(data.tokens), data.tags)
    ambiguous = np.isin(data.tokens, AMBIGUOUS_IDS)
    assert not ambiguous[:, -1].any()  # always followed by its deciding word
    assert not (ambiguous[:, :-1] & ambiguous[:, 1:]).any()


@pytest.mark.parametrize("p, q", [(0.3, 0.5), (0.5, 0.8), (0.1, 0.3), (1.0, 0.5)])
def test_causal_ceiling_matches_an_empirical_estimate(p, q):
    task = TaggingTask(length=12, ambiguous_rate=p, company_probability=q)
    data = task.generate(40000, seed=0)
    empirical = (task.causal_optimal_tags(data.tokens) == data.tags).mean()
    assert abs(empirical - task.causal_ceiling()) < 0.005
    ambiguous_share = np.isin(data.tokens, AMBIGUOUS_IDS).mean()
    assert abs(ambiguous_share - task.ambiguous_fraction()) < 0.005


def test_default_ceiling_is_clearly_below_one_and_full_context_reaches_one():
    task = TaggingTask()
    assert 0.8 < task.causal_ceiling() < 0.9
    assert task.full_context_ceiling() == 1.0
    assert TaggingTask(ambiguous_rate=0.5).causal_ceiling() < task.causal_ceiling()
    assert TaggingTask(ambiguous_rate=0.0).causal_ceiling() == 1.0


def test_no_causal_rule_beats_the_ceiling():
    """Any rule that sees only the words up to t does no better than the Bayes rule:
    check the best such rule, per (previous word, word), found by counting."""
    task = TaggingTask(length=10)
    data = task.generate(20000, seed=3)
    previous = np.zeros_like(data.tokens)
    previous[:, 1:] = data.tokens[:, :-1]
    keys = (previous * len(WORDS) + data.tokens).reshape(-1)
    counts = np.zeros((len(WORDS) ** 2, len(TAGS)))
    np.add.at(counts, (keys, data.tags.reshape(-1)), 1)
    best_in_sample = counts.max(axis=1).sum() / keys.size
    assert best_in_sample < task.causal_ceiling() + 0.01


def test_determinism_and_describe():
    task = TaggingTask(length=6)
    a, b, c = task.generate(5, seed=1), task.generate(5, seed=1), task.generate(5, seed=2)
    assert np.array_equal(a.tokens, b.tokens) and not np.array_equal(a.tokens, c.tokens)
    text = task.describe(a.tokens[0], a.tags[0])
    assert len(text.split()) == 6 and all("/" in part for part in text.split())
    assert task.describe(a.tokens[0]).split() == [WORDS[i] for i in a.tokens[0]]


@pytest.mark.parametrize("kwargs, message", [
    (dict(length=1), "length must be at least 2"),
    (dict(ambiguous_rate=1.5), r"ambiguous_rate must lie in \[0, 1\]"),
    (dict(company_probability=-0.1), r"company_probability must lie in \[0, 1\]"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TaggingTask(**kwargs)


def test_bad_generate_and_helper_arguments():
    task = TaggingTask()
    with pytest.raises(ValueError, match="n must be at least 0"):
        task.generate(-1, seed=0)
    with pytest.raises(ValueError, match="2-D"):
        task.full_context_tags(np.zeros(3, int))
    with pytest.raises(ValueError, match="token ids must lie"):
        task.causal_optimal_tags(np.full((1, 2), 99))
    with pytest.raises(ValueError, match="differ in shape"):
        task.describe(np.ones(3, int), np.ones(2, int))
