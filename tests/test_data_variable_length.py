"""Variable-length sentences, masked means and bucketing (rnncourse.data.variable_length)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from rnncourse.data import padding_mask
from rnncourse.data.tagging import TaggingTask
from rnncourse.data.variable_length import (
    bucket_batches,
    computed_steps,
    generate_variable_tagging,
    masked_mean,
    minimal_padded_steps,
    padded_steps,
    sentence_lengths,
)


def test_sentences_are_tagging_sentences_of_their_own_length():
    data = generate_variable_tagging(300, seed=1, max_length=30)
    assert len(data.tokens) == len(data.tags) == len(data.lengths) == 300
    task = TaggingTask()
    for tokens, tags, n in zip(data.tokens, data.tags, data.lengths):
        assert tokens.shape == tags.shape == (n,) and tokens.dtype == np.int32
        assert tokens.min() > 0 and tags.min() > 0  # id 0 is left for padding
        assert np.array_equal(task.full_context_tags(tokens[None])[0], tags)
    assert data.lengths.min() >= 2 and data.lengths.max() <= 30


def test_generation_is_seeded():
    a = generate_variable_tagging(50, seed=7)
    b = generate_variable_tagging(50, seed=7)
    c = generate_variable_tagging(50, seed=8)
    assert all(np.array_equal(x, y) for x, y in zip(a.tokens, b.tokens))
    assert not np.array_equal(a.lengths, c.lengths)


def test_lengths_are_skewed_and_clipped():
    lengths = sentence_lengths(5000, seed=0, min_length=2, max_length=48, typical_length=10)
    assert lengths.dtype == np.int64 and lengths.min() >= 2 and lengths.max() <= 48
    assert abs(np.median(lengths) - 10) <= 1 and lengths.max() > 3 * np.median(lengths)
    with pytest.raises(ValueError):
        sentence_lengths(5, seed=0, min_length=10, max_length=5)


def test_masked_mean_counts_real_steps_only():
    losses = np.array([[1.0, 2.0, 9.0], [4.0, 9.0, 9.0]])
    mask = padding_mask(np.array([2, 1]), 3, "post")
    assert masked_mean(losses, mask) == pytest.approx((1 + 2 + 4) / 3)
    with pytest.raises(ValueError, match="no real entry"):
        masked_mean(losses, np.zeros_like(mask))
    with pytest.raises(ValueError, match="differ in shape"):
        masked_mean(losses, mask[:, :2])


def _all_batchings(n, batch_size):
    """Every way to cut range(n) into groups of batch_size (as lists of tuples)."""
    if n == 0:
        yield []
        return
    items = list(range(n))

    def split(rest):
        if not rest:
            yield []
            return
        first, others = rest[0], rest[1:]
        for partners in itertools.combinations(others, batch_size - 1):
            left = [i for i in others if i not in partners]
            for tail in split(left):
                yield [(first, *partners), *tail]

    yield from split(items)


@pytest.mark.parametrize("seed", range(20))
def test_bucketing_pads_fewest_steps_of_any_batching(seed):
    rng = np.random.default_rng(seed)
    batch_size = int(rng.integers(2, 4))
    n = batch_size * int(rng.integers(2, 4))
    lengths = rng.integers(1, 10, size=n)
    best = min(padded_steps(lengths, [np.array(b) for b in batching])
               for batching in _all_batchings(n, batch_size))
    batches = bucket_batches(lengths, batch_size)
    assert padded_steps(lengths, batches) == best == minimal_padded_steps(lengths, batch_size)
    assert sorted(np.concatenate(batches).tolist()) == list(range(n))
    assert all(len(b) == batch_size for b in batches)


def test_costs():
    lengths = np.array([5, 1, 4, 2])
    batches = bucket_batches(lengths, 2)
    assert [b.tolist() for b in batches] == [[1, 3], [2, 0]]
    assert computed_steps(lengths, batches) == 14 and padded_steps(lengths, batches) == 2
    assert computed_steps(lengths, [np.arange(4)]) == 20
    with pytest.raises(ValueError, match="does not divide"):
        bucket_batches(lengths, 3)
    with pytest.raises(ValueError, match="1-D array of ints"):
        bucket_batches(np.array([1.5, 2.0]), 1)
