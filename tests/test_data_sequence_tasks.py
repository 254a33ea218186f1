"""Copy / reverse / sort: targets, teacher-forcing shift, padding, encode/decode."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncourse.data.sequence_tasks import (
    END,
    PAD,
    START,
    TASKS,
    decode_tokens,
    encode_tokens,
    generate_sequence_task,
    task_decoder_inputs,
    vocabulary_size,
)

EXPECTED = {"copy": lambda s: s, "reverse": lambda s: s[::-1], "sort": lambda s: "".join(sorted(s))}


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), task=st.sampled_from(TASKS), min_len=st.integers(1, 6),
       extra=st.integers(0, 6), n_symbols=st.integers(1, 10))
def test_targets_follow_the_task(seed, task, min_len, extra, n_symbols):
    max_len = min_len + extra
    data = generate_sequence_task(12, task, min_len=min_len, max_len=max_len,
                                  n_symbols=n_symbols, seed=seed)
    assert data.encoder_inputs.shape == (12, max_len)
    assert data.decoder_inputs.shape == data.decoder_targets.shape == (12, max_len + 1)
    assert all(a.dtype == np.int32 for a in data[:3])
    assert data.encoder_inputs.max() < vocabulary_size(n_symbols)
    for row in range(12):
        length = data.lengths[row]
        assert min_len <= length <= max_len
        source = decode_tokens(data.encoder_inputs[row])
        target = decode_tokens(data.decoder_targets[row])
        assert len(source) == length and target == EXPECTED[task](source)
        assert data.decoder_targets[row, length] == END
        assert (data.decoder_targets[row, length + 1:] == PAD).all()
        assert (data.encoder_inputs[row, length:] == PAD).all()
        assert data.decoder_inputs[row, 0] == START
        assert np.array_equal(data.decoder_inputs[row, 1:length + 1],
                              data.decoder_targets[row, :length])
    assert np.array_equal(task_decoder_inputs(data.decoder_targets), data.decoder_inputs)


def test_determinism():
    a, b, c = (generate_sequence_task(20, "sort", seed=s) for s in (3, 3, 4))
    assert np.array_equal(a.encoder_inputs, b.encoder_inputs)
    assert not np.array_equal(a.encoder_inputs, c.encoder_inputs)


def test_encode_and_decode():
    assert encode_tokens("1308", length=6).tolist() == [4, 6, 3, 11, 0, 0]
    assert encode_tokens("12", add_end=True).tolist() == [4, 5, END]
    assert decode_tokens([START, 4, 5, END, 6]) == "12"
    assert decode_tokens([START, 4, 5, END, 6], show_special=True) == "<12>"
    assert decode_tokens([4, END, 6], stop_at_end=False) == "13"


@pytest.mark.parametrize("kwargs, message", [
    (dict(min_len=5, max_len=3), r"min_len \(5\) must be <= max_len \(3\)"),
    (dict(min_len=0), "min_len must be at least 1"),
    (dict(task="shuffle"), "unknown task 'shuffle'; choose one of copy, reverse, sort"),
    (dict(n_symbols=11), "n_symbols must be at most 10"),
    (dict(n=-1), "n must be at least 0"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        generate_sequence_task(**(dict(n=3, seed=0) | kwargs))


def test_bad_helper_arguments():
    with pytest.raises(ValueError, match="digits"):
        encode_tokens("12a")
    with pytest.raises(ValueError, match="more than length"):
        encode_tokens("123", length=2)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        decode_tokens([99])
    with pytest.raises(ValueError, match="2-D"):
        task_decoder_inputs(np.zeros(3, int))
