"""The temporal-order task: markers, labels, levels, padding, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncourse.data.temporal_order import (
    CLASSES,
    LEVELS,
    SYMBOLS,
    TemporalOrderLevel,
    class_name,
    decode_sequences,
    generate_temporal_order,
    get_level,
    padding_mask,
)

X, Y, B, E = (SYMBOLS.index(s) for s in "XYBE")
DISTRACTORS = [SYMBOLS.index(s) for s in "abcd"]


def _unpadded_symbols(data):
    """Per sequence, the symbol ids of its real steps (from the one-hot inputs)."""
    mask = data.mask()
    ids = data.inputs.argmax(-1)
    return [row[keep] for row, keep in zip(ids, mask, strict=True)]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), level=st.sampled_from(sorted(LEVELS)),
       padding=st.sampled_from(["pre", "post"]))
def test_sequences_follow_the_definition(seed, level, padding):
    data = generate_temporal_order(16, level, seed=seed, padding=padding)
    spec = LEVELS[level]
    assert data.inputs.shape == (16, spec.padded_length, 8)
    assert data.inputs.dtype == np.float32
    # every real row is one-hot, every padding row all zero
    row_sums = data.inputs.sum(-1)
    assert np.array_equal(row_sums, data.mask().astype(np.float32))
    for symbols, label, length, t1, t2 in zip(_unpadded_symbols(data), data.labels,
                                              data.lengths, data.t1, data.t2, strict=True):
        assert len(symbols) == length
        assert spec.length[0] <= length <= spec.length[1]
        assert spec.t1[0] <= t1 <= spec.t1[1] and spec.t2[0] <= t2 <= spec.t2[1]
        assert symbols[0] == B and symbols[-1] == E
        markers = np.flatnonzero(symbols <= Y)
        assert markers.tolist() == [t1, t2]
        assert 2 * (symbols[t1] == Y) + (symbols[t2] == Y) == label
        others = np.delete(symbols, [0, t1, t2, length - 1])
        assert np.isin(others, DISTRACTORS).all()


def test_pre_padding_puts_zeros_first_and_post_last():
    pre = generate_temporal_order(50, "easy", seed=3, padding="pre")
    post = generate_temporal_order(50, "easy", seed=3, padding="post")
    assert np.array_equal(pre.labels, post.labels)
    short = np.flatnonzero(pre.lengths == 7)
    assert short.size > 0
    assert not pre.inputs[short, 0].any() and pre.inputs[short, -1, SYMBOLS.index("E")].all()
    assert not post.inputs[short, -1].any() and post.inputs[short, 0, B].all()
    assert decode_sequences(pre.inputs, pad="") == decode_sequences(post.inputs, pad="")


def test_classes_are_roughly_uniform():
    labels = generate_temporal_order(8000, "easy", seed=0).labels
    counts = np.bincount(labels, minlength=4)
    assert counts.min() > 1800 and counts.max() < 2200


def test_determinism_and_seed_dependence():
    a = generate_temporal_order(20, "hard", seed=7)
    b = generate_temporal_order(20, "hard", seed=7)
    c = generate_temporal_order(20, "hard", seed=8)
    assert all(np.array_equal(x, y) for x, y in zip(a[:5], b[:5], strict=True))
    assert not np.array_equal(a.inputs, c.inputs)


def test_a_shared_generator_gives_different_batches():
    rng = np.random.default_rng(0)
    first = generate_temporal_order(10, "normal", seed=rng)
    second = generate_temporal_order(10, "normal", seed=rng)
    assert not np.array_equal(first.inputs, second.inputs)


def test_dtypes_and_zero_sequences():
    data = generate_temporal_order(0, "normal", seed=0)
    assert data.inputs.shape == (0, 40, 8)
    data = generate_temporal_order(3, "nightmare", seed=0)
    assert data.inputs.shape == (3, 500, 8)
    assert np.issubdtype(data.labels.dtype, np.integer)
    assert np.issubdtype(data.lengths.dtype, np.integer)


def test_decoder_shows_readable_strings():
    data = generate_temporal_order(1, "easy", seed=0, padding="post")
    text = decode_sequences(data.inputs[0])[0]
    tokens = text.split()
    assert tokens[0] == "B" and "E" in tokens
    assert set(tokens) <= set(SYMBOLS) | {"."}
    assert class_name(1) == "XY" and CLASSES[3] == "YY"


def test_custom_level():
    level = TemporalOrderLevel(length=(12, 14), t1=(1, 3), t2=(6, 10))
    data = generate_temporal_order(30, level, seed=1)
    assert data.inputs.shape == (30, 14, 8)
    assert data.t2.max() <= 10 and data.t1.min() >= 1
    assert get_level(level) is level


def test_padding_mask():
    mask = padding_mask(np.array([2, 3]), 4, "pre")
    assert mask.tolist() == [[False, False, True, True], [False, True, True, True]]
    mask = padding_mask(np.array([2, 3]), 4, "post")
    assert mask.tolist() == [[True, True, False, False], [True, True, True, False]]


def test_unknown_level_names_the_choices():
    with pytest.raises(ValueError, match="unknown level 'medium'; choose one of easy, normal"):
        generate_temporal_order(4, "medium", seed=0)


@pytest.mark.parametrize(
    "ranges, message",
    [
        (dict(length=(10, 12), t1=(3, 5), t2=(5, 8)), "overlap"),
        (dict(length=(10, 12), t1=(0, 2), t2=(4, 6)), "at least 1"),
        (dict(length=(10, 12), t1=(1, 2), t2=(4, 9)), "before E"),
        (dict(length=(12, 10), t1=(1, 2), t2=(4, 6)), "empty"),
        (dict(length=(-3, 10), t1=(1, 2), t2=(4, 6)), "at least 0"),
        (dict(length=(10,), t1=(1, 2), t2=(4, 6)), "pair"),
    ],
)
def test_bad_levels(ranges, message):
    with pytest.raises(ValueError, match=message):
        TemporalOrderLevel(**ranges)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(n=-1), "n must be at least 0"),
        (dict(n=2.5), "n must be an int"),
        (dict(padding="left"), "unknown padding 'left'; choose one of pre, post"),
        (dict(seed=None), "seed"),
    ],
)
def test_bad_arguments(kwargs, message):
    arguments = dict(n=4, level="easy", seed=0) | kwargs
    with pytest.raises(ValueError, match=message):
        generate_temporal_order(**arguments)


def test_bad_mask_and_decoder_arguments():
    with pytest.raises(ValueError, match="lengths must lie"):
        padding_mask(np.array([5]), 4)
    with pytest.raises(ValueError, match="shape"):
        decode_sequences(np.zeros((2, 3, 5)))
    with pytest.raises(ValueError, match="label must be at most 3"):
        class_name(4)
