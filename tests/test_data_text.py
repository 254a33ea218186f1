"""Corpora, the character vocabulary, stream batching and the split."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncourse.data.text import (
    CharVocabulary,
    batch_stream,
    load_corpus,
    reassemble_stream,
    split_corpus,
)

SHARED_COPY = Path("/work/shared/data/tinyshakespeare.txt")
TINYSHAKESPEARE_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"


def test_tinyshakespeare_ships_with_the_package():
    text = load_corpus("tinyshakespeare")
    assert len(text) == 1115394 and len(set(text)) == 65
    assert text.startswith("First Citizen:")
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == TINYSHAKESPEARE_SHA256
    package_file = Path(__file__).parents[1] / "rnncourse/data/corpora/tinyshakespeare.txt.gz"
    assert gzip.decompress(package_file.read_bytes()).decode("utf-8") == text


def test_python_docstrings_corpus_is_deterministic():
    text = load_corpus("python-docstrings")
    assert len(text) > 100_000
    assert text == load_corpus("python-docstrings")
    assert "Abstract Base Classes" in text


def test_unknown_corpus():
    with pytest.raises(ValueError, match="unknown corpus 'imdb'; choose one of tinyshakespeare"):
        load_corpus("imdb")


def test_vocabulary_round_trip_on_a_corpus():
    text = load_corpus("tinyshakespeare")[:200_000]
    vocab = CharVocabulary.from_text(text)
    ids = vocab.encode(text)
    assert ids.dtype == np.int32 and ids.max() == len(vocab) - 1
    assert vocab.decode(ids) == text
    assert list(vocab.characters) == sorted(set(text))


@settings(max_examples=30, deadline=None)
@given(text=st.text(min_size=1, max_size=40))
def test_vocabulary_round_trip_any_text(text):
    vocab = CharVocabulary.from_text(text)
    assert vocab.decode(vocab.encode(text)) == text


def test_unknown_characters():
    strict = CharVocabulary.from_text("hello")
    with pytest.raises(ValueError, match=r"not in the vocabulary: \['p', 'x'\]"):
        strict.encode("helpx")
    lenient = CharVocabulary.from_text("hello", unknown="?")
    assert lenient.decode(lenient.encode("help!")) == "hel??"
    assert lenient.unknown_id == 0 and strict.unknown_id is None
    kept = CharVocabulary.from_text("a b", unknown=" ")
    assert kept.decode(kept.encode("abc")) == "ab "


@settings(max_examples=40, deadline=None)
@given(length=st.integers(2, 300), batch=st.integers(1, 8), window=st.integers(1, 20))
def test_batching_reassembles_the_stream(length, batch, window):
    ids = np.arange(length)
    if length - 1 < batch * window:
        with pytest.raises(ValueError, match="too short|larger than the stream"):
            batch_stream(ids, batch, window)
        return
    batches = batch_stream(ids, batch, window)
    n_windows = (length - 1) // (batch * window)
    assert batches.inputs.shape == batches.targets.shape == (n_windows, batch, window)
    assert batches.n_windows == n_windows
    used = n_windows * batch * window
    assert np.array_equal(reassemble_stream(batches.inputs), ids[:used])
    assert np.array_equal(reassemble_stream(batches.targets), ids[1:used + 1])
    # targets are the inputs one step later in the stream, and windows continue each other
    assert np.array_equal(batches.targets, batches.inputs + 1)
    if n_windows > 1:
        assert np.array_equal(batches.inputs[1:, :, 0], batches.inputs[:-1, :, -1] + 1)


def test_batching_keeps_the_dtype_and_example():
    batches = batch_stream(np.arange(23, dtype=np.int32), 2, 5)
    assert batches.inputs.dtype == np.int32
    assert batches.inputs[1].tolist() == [[5, 6, 7, 8, 9], [15, 16, 17, 18, 19]]


@pytest.mark.parametrize("args, message", [
    ((np.arange(10), 0, 2), "batch_size must be at least 1"),
    ((np.arange(10), 2, 0), "window must be at least 1"),
    ((np.arange(10), 10, 1), "batch_size .10. is larger than the stream"),
    ((np.arange(10), 3, 4), "too short"),
    ((np.zeros((3, 4)), 1, 1), "1-D"),
])
def test_bad_batching_arguments(args, message):
    with pytest.raises(ValueError, match=message):
        batch_stream(*args)


def test_split_by_position():
    text = "abcdefghij"
    assert split_corpus(text, 0.2) == ("abcdefgh", "ij")
    train, valid = split_corpus(np.arange(100), 0.1)
    assert train.tolist() == list(range(90)) and valid.tolist() == list(range(90, 100))
    with pytest.raises(ValueError, match=r"validation_fraction must lie in \(0, 1\)"):
        split_corpus(text, 1.0)
    with pytest.raises(ValueError, match="both parts must be non-empty"):
        split_corpus("ab", 0.01)


def test_bad_vocabulary_arguments():
    with pytest.raises(ValueError, match="non-empty"):
        CharVocabulary.from_text("")
    with pytest.raises(ValueError, match="repeat"):
        CharVocabulary("aa")
    with pytest.raises(ValueError, match="one character"):
        CharVocabulary("ab", unknown="??")
    with pytest.raises(ValueError, match="ids must lie"):
        CharVocabulary("ab").decode([2])
