r"""Character corpora that work offline, a character vocabulary, and stream batching.

Corpora (:func:`load_corpus`):

- ``"tinyshakespeare"``: about 1.1 million characters (65 distinct) of
  Shakespeare, public domain, shipped gzip-compressed with the package;
- ``"python-docstrings"``: the docstrings of a fixed list of standard-library
  modules, collected in a fixed order. It needs no data file at all, but its
  text changes with the Python version (and is empty under ``python -OO``).

**Batching a stream for language modelling** (:func:`batch_stream`). A stream
:math:`s_0 \dots s_{N-1}` is cut into ``B`` contiguous columns of
:math:`L = W \cdot T` steps each, where :math:`W = \lfloor (N-1) / (B T)
\rfloor` windows fit (the tail that does not fit is dropped). Window ``w`` of
column ``b`` holds

.. math::

    x[w, b, t] = s_{bL + wT + t}, \qquad y[w, b, t] = s_{bL + wT + t + 1},

so the target window is the input window shifted one step along the stream,
and window ``w + 1`` continues window ``w`` in every row: a stateful model
that reads the windows in order sees each column as one long text.

Example::

    >>> ids = np.arange(23)
    >>> batches = batch_stream(ids, batch_size=2, window=5)
    >>> batches.inputs.shape
    (2, 2, 5)
    >>> batches.inputs[0].tolist(), batches.targets[0].tolist()
    ([[0, 1, 2, 3, 4], [10, 11, 12, 13, 14]], [[1, 2, 3, 4, 5], [11, 12, 13, 14, 15]])
    >>> reassemble_stream(batches.inputs).tolist() == ids[:20].tolist()
    True
"""

from __future__ import annotations

import functools
import gzip
import importlib
import inspect
import warnings
from collections.abc import Iterable
from importlib import resources
from typing import NamedTuple

import numpy as np

from ._checks import check_choice, check_fraction, check_int

CORPORA = ("tinyshakespeare", "python-docstrings")

#: Standard-library modules whose docstrings make the "python-docstrings" corpus.
DOCSTRING_MODULES = (
    "abc",
    "argparse",
    "base64",
    "bisect",
    "calendar",
    "collections",
    "configparser",
    "contextlib",
    "copy",
    "csv",
    "dataclasses",
    "datetime",
    "decimal",
    "difflib",
    "enum",
    "fractions",
    "functools",
    "gzip",
    "heapq",
    "inspect",
    "ipaddress",
    "json",
    "logging",
    "operator",
    "pathlib",
    "pickle",
    "pprint",
    "queue",
    "shlex",
    "shutil",
    "statistics",
    "string",
    "subprocess",
    "tarfile",
    "tempfile",
    "textwrap",
    "threading",
    "unittest.case",
    "urllib.parse",
    "uuid",
    "zipfile",
)


def load_corpus(name: str = "tinyshakespeare") -> str:
    """The text of corpus ``name`` (one of :data:`CORPORA`); no network needed."""
    check_choice("corpus", name, CORPORA)
    if name == "tinyshakespeare":
        return _tinyshakespeare()
    return _python_docstrings()


@functools.cache
def _tinyshakespeare() -> str:
    resource = resources.files("rnncourse.data").joinpath("corpora/tinyshakespeare.txt.gz")
    with resource.open("rb") as compressed:
        return gzip.decompress(compressed.read()).decode("utf-8")


def _docstrings_of(module_name: str) -> Iterable[str]:
    module = importlib.import_module(module_name)
    yield module.__doc__ or ""
    for name in sorted(vars(module)):
        obj = vars(module)[name]
        if name.startswith("_") or getattr(obj, "__module__", None) != module_name:
            continue
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        yield obj.__doc__ or ""
        if inspect.isclass(obj):
            for member_name in sorted(vars(obj)):
                member = vars(obj)[member_name]
                if not member_name.startswith("_") and inspect.isfunction(member):
                    yield member.__doc__ or ""


@functools.cache
def _python_docstrings() -> str:
    with warnings.catch_warnings():  # some modules warn about deprecated members
        warnings.simplefilter("ignore")
        parts = [
            inspect.cleandoc(doc)
            for module_name in DOCSTRING_MODULES
            for doc in _docstrings_of(module_name)
            if doc.strip()
        ]
    if not parts:
        raise ValueError(
            "no docstrings found (is Python running with -OO?); "
            "use load_corpus('tinyshakespeare') instead"
        )
    return "\n\n".join(parts) + "\n"


class CharVocabulary:
    """Characters <-> integer ids for a character-level language model.

    Ids follow the order of ``characters`` (``from_text`` sorts them by code
    point). Characters outside the vocabulary raise ValueError, unless
    ``unknown`` names a stand-in character (added to the vocabulary if it is
    not there yet) that they are mapped to.

    >>> vocab = CharVocabulary.from_text("hello")
    >>> vocab.characters, vocab.encode("hole").tolist()
    ('ehlo', [1, 3, 2, 0])
    >>> vocab.decode([1, 0, 2, 2, 3])
    'hello'
    >>> CharVocabulary.from_text("hello", unknown="?").encode("help").tolist()
    [2, 1, 3, 0]
    """

    def __init__(self, characters: Iterable[str], unknown: str | None = None) -> None:
        characters = list(characters)
        if not characters:
            raise ValueError("a vocabulary needs at least one character")
        if any(not isinstance(ch, str) or len(ch) != 1 for ch in characters):
            raise ValueError("characters must be single-character strings")
        if len(set(characters)) != len(characters):
            raise ValueError("characters must not repeat")
        if unknown is not None:
            if not isinstance(unknown, str) or len(unknown) != 1:
                raise ValueError(f"unknown must be one character or None, got {unknown!r}")
            if unknown not in characters:
                characters.insert(0, unknown)
        self.characters = "".join(characters)
        self.unknown = unknown
        self._codes = np.frombuffer(self.characters.encode("utf-32-le"), dtype="<u4")
        self._order = np.argsort(self._codes, kind="stable")
        self._sorted_codes = self._codes[self._order]

    @classmethod
    def from_text(cls, text: str, unknown: str | None = None) -> CharVocabulary:
        """The vocabulary of the distinct characters of ``text``, sorted."""
        if not isinstance(text, str) or not text:
            raise ValueError("text must be a non-empty string")
        return cls(sorted(set(text)), unknown=unknown)

    def __len__(self) -> int:
        return len(self.characters)

    @property
    def size(self) -> int:
        """Number of ids (the Embedding's ``input_dim`` and the softmax width)."""
        return len(self)

    @property
    def unknown_id(self) -> int | None:
        """The id unknown characters map to, or None if they raise."""
        return None if self.unknown is None else self.characters.index(self.unknown)

    def encode(self, text: str) -> np.ndarray:
        """(len(text),) int32 ids, vectorised (a million characters in milliseconds)."""
        if not isinstance(text, str):
            raise ValueError(f"text must be a string, got {type(text).__name__}")
        codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
        where = np.searchsorted(self._sorted_codes, codes).clip(0, len(self) - 1)
        known = self._sorted_codes[where] == codes
        ids = self._order[where].astype(np.int32)
        if not known.all():
            if self.unknown is None:
                missing = sorted({chr(c) for c in codes[~known][:1000].tolist()})
                raise ValueError(
                    f"characters not in the vocabulary: {missing[:10]!r}; "
                    f"build the vocabulary with unknown='?' to map them to '?'"
                )
            ids[~known] = self.unknown_id
        return ids

    def decode(self, ids: np.ndarray | Iterable[int]) -> str:
        """The text of a 1-D sequence of ids."""
        ids = np.asarray(list(ids) if not isinstance(ids, np.ndarray) else ids)
        if ids.ndim != 1:
            raise ValueError(f"ids must be 1-D, got shape {ids.shape}")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"ids must lie in 0..{len(self) - 1}")
        return self._codes[ids.astype(np.int64)].tobytes().decode("utf-32-le")

    def __repr__(self) -> str:
        return f"CharVocabulary({len(self)} characters, unknown={self.unknown!r})"


class StreamBatches(NamedTuple):
    """``inputs`` and ``targets``: (n_windows, B, T), the dtype of the stream."""

    inputs: np.ndarray
    targets: np.ndarray

    @property
    def n_windows(self) -> int:
        return self.inputs.shape[0]


def batch_stream(ids: np.ndarray, batch_size: int, window: int) -> StreamBatches:
    """Cut a 1-D stream into ``batch_size`` columns, then windows of ``window`` steps.

    See the module docstring for the maths. Raises ValueError when the stream
    is too short for one window per column, i.e. ``len(ids) - 1 < batch_size *
    window``.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids must be a 1-D stream, got shape {ids.shape}")
    batch_size = check_int("batch_size", batch_size, minimum=1)
    window = check_int("window", window, minimum=1)
    n_pairs = ids.shape[0] - 1  # (input, next) pairs the stream holds
    if batch_size > n_pairs:
        raise ValueError(
            f"batch_size ({batch_size}) is larger than the stream allows: a stream "
            f"of {ids.shape[0]} ids has {n_pairs} (input, target) pairs"
        )
    n_windows = n_pairs // (batch_size * window)
    if n_windows == 0:
        raise ValueError(
            f"the stream is too short: {ids.shape[0]} ids give {n_pairs} (input, target) pairs, "
            f"fewer than batch_size * window = {batch_size * window}; use a smaller batch or "
            f"window"
        )
    used = batch_size * n_windows * window
    shape = (batch_size, n_windows, window)
    inputs = ids[:used].reshape(shape).transpose(1, 0, 2)
    targets = ids[1 : used + 1].reshape(shape).transpose(1, 0, 2)
    return StreamBatches(np.ascontiguousarray(inputs), np.ascontiguousarray(targets))


def reassemble_stream(windows: np.ndarray) -> np.ndarray:
    """Undo :func:`batch_stream`: the columns one after the other, as one 1-D stream.

    ``reassemble_stream(batch_stream(ids, B, T).inputs)`` equals the start of ``ids``.
    """
    windows = np.asarray(windows)
    if windows.ndim != 3:
        raise ValueError(f"windows must have shape (n_windows, B, T), got {windows.shape}")
    return windows.transpose(1, 0, 2).reshape(-1)


def split_corpus(data: str | np.ndarray, validation_fraction: float = 0.1):
    """Split a text or 1-D array by position: the first part trains, the last validates.

    Not at random, on purpose: neighbouring characters are strongly related,
    so a random split would leak the validation text into training.
    """
    validation_fraction = check_fraction(
        "validation_fraction", validation_fraction, low_open=True, high_open=True
    )
    if not isinstance(data, str):
        data = np.asarray(data)
        if data.ndim != 1:
            raise ValueError(f"data must be a string or a 1-D array, got shape {data.shape}")
    n = len(data)
    n_valid = int(round(n * validation_fraction))
    if n_valid < 1 or n_valid > n - 1:
        raise ValueError(
            f"cannot split {n} items with validation_fraction="
            f"{validation_fraction}: both parts must be non-empty"
        )
    return data[: n - n_valid], data[n - n_valid :]


# --------------------------------------------------------------------------- language-model maths
# (lesson 09) Bits per character, n-gram baselines, and sampling with a temperature,
# top-k and nucleus (top-p) filtering.


def loss_to_bits_per_char(losses) -> tuple[float, float]:
    r"""Bits per character and perplexity from per-character cross-entropies in nats.

    ``losses`` holds :math:`-\ln p(c_{t+1} \mid c_{\le t})` for every predicted
    character (any shape, e.g. (batch, time)). Returns ``(bits, perplexity)``
    with :math:`\text{bits} = \overline{\text{loss}} / \ln 2` (the mean over
    every character) and :math:`\text{perplexity} = 2^{\text{bits}} =
    e^{\overline{\text{loss}}}`.
    """
    losses = np.asarray(losses, dtype=np.float64)
    if losses.size == 0:
        raise ValueError("losses must hold at least one value")
    bits = float(losses.mean() / np.log(2.0))
    return bits, float(2.0**bits)


def tempered_probabilities(logits, temperature: float) -> np.ndarray:
    r"""The sampling distribution :math:`\mathrm{softmax}(z / \tau)` over the last axis.

    Computed stably: the largest scaled logit is subtracted before ``exp``, so
    logits in the thousands do not overflow. ``temperature`` must be positive.
    """
    if not np.isscalar(temperature) or not temperature > 0:
        raise ValueError(f"temperature must be a positive number, got {temperature!r}")
    scaled = np.asarray(logits, dtype=np.float64) / float(temperature)
    scaled = scaled - scaled.max(axis=-1, keepdims=True)
    exps = np.exp(scaled)
    return exps / exps.sum(axis=-1, keepdims=True)


def top_k_probabilities(probabilities, k: int) -> np.ndarray:
    """Top-k filtering: keep the ``k`` largest probabilities of each row, renormalised.

    ``probabilities`` holds distributions on its last axis (each row sums to 1,
    as from :func:`tempered_probabilities`). Every entry outside the ``k``
    largest of its row becomes 0 and the kept ones are divided by their total.
    Ties are broken by position (the lower index is kept), so exactly
    ``min(k, V)`` entries per row stay.
    """
    probabilities = _distributions(probabilities)
    k = check_int("k", k, minimum=1)
    order = np.argsort(-probabilities, axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(order.shape[-1]), axis=-1)
    kept = np.where(ranks < k, probabilities, 0.0)
    return kept / kept.sum(axis=-1, keepdims=True)


def nucleus_probabilities(probabilities, top_p: float) -> np.ndarray:
    r"""Nucleus (top-p) filtering (Holtzman et al., 2020), renormalised.

    Keeps, in each row, the smallest set of the largest probabilities whose
    total reaches ``top_p``: sorted from the largest, an entry is kept when the
    probabilities before it add up to less than ``top_p``, so the entry that
    crosses ``top_p`` is kept and the largest always is. ``top_p = 1`` keeps
    every entry. The rest become 0 and the kept ones are divided by their total.
    """
    probabilities = _distributions(probabilities)
    if isinstance(top_p, (bool, str)) or not np.isscalar(top_p) or not 0.0 < top_p <= 1.0:
        raise ValueError(f"top_p must be a number in (0, 1], got {top_p!r}")
    if float(top_p) == 1.0:
        return probabilities / probabilities.sum(axis=-1, keepdims=True)
    order = np.argsort(-probabilities, axis=-1, kind="stable")
    sorted_p = np.take_along_axis(probabilities, order, axis=-1)
    before = np.cumsum(sorted_p, axis=-1) - sorted_p  # the mass of the larger entries
    keep_sorted = before < float(top_p)
    keep = np.empty_like(keep_sorted)
    np.put_along_axis(keep, order, keep_sorted, axis=-1)
    kept = np.where(keep, probabilities, 0.0)
    return kept / kept.sum(axis=-1, keepdims=True)


def _distributions(probabilities) -> np.ndarray:
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim == 0 or probabilities.shape[-1] == 0:
        raise ValueError(
            f"probabilities must have a last axis of at least one entry, got "
            f"shape {probabilities.shape}"
        )
    if not np.all(np.isfinite(probabilities)) or np.any(probabilities < 0):
        raise ValueError("probabilities must be finite and non-negative")
    return probabilities


def sample_with_temperature(
    logits,
    temperature: float,
    rng: np.random.Generator,
    *,
    top_k: int | None = None,
    top_p: float | None = None,
) -> int:
    """One index drawn from ``tempered_probabilities(logits, temperature)`` (1-D logits).

    With ``top_k`` the distribution is first cut to its ``top_k`` likeliest
    entries (:func:`top_k_probabilities`); with ``top_p`` to its nucleus
    (:func:`nucleus_probabilities`); both cuts apply after the temperature.
    Uses exactly one ``rng.random()`` draw (inverse of the cumulative
    distribution), so two calls with generators in the same state draw the
    same uniform number whatever the temperature and the cut.
    """
    probabilities = tempered_probabilities(logits, temperature)
    if probabilities.ndim != 1:
        raise ValueError(f"logits must be 1-D, got shape {probabilities.shape}")
    if top_k is not None:
        probabilities = top_k_probabilities(probabilities, top_k)
    if top_p is not None:
        probabilities = nucleus_probabilities(probabilities, top_p)
    cumulative = np.cumsum(probabilities)
    index = int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))
    index = min(index, probabilities.shape[0] - 1)
    while probabilities[index] == 0.0:  # never land on a removed entry through rounding
        index -= 1
    return index


def _ids_1d(name: str, ids, vocab_size: int) -> np.ndarray:
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.size < 2:
        raise ValueError(f"{name} must be a 1-D array of at least 2 ids, got shape {ids.shape}")
    if ids.min() < 0 or ids.max() >= vocab_size:
        raise ValueError(f"{name} must hold ids in 0..{vocab_size - 1}")
    return ids.astype(np.int64)


def unigram_bits_per_char(train_ids, test_ids, vocab_size: int, alpha: float = 1.0) -> float:
    r"""Bits per character of the smoothed unigram model on ``test_ids``.

    :math:`p(c) = (n_c + \alpha) / (N + \alpha V)` from the counts of
    ``train_ids``; the result is the mean of :math:`-\log_2 p(c)` over
    ``test_ids[1:]`` (the characters the bigram model predicts too).
    """
    train = _ids_1d("train_ids", train_ids, vocab_size)
    test = _ids_1d("test_ids", test_ids, vocab_size)
    counts = np.bincount(train, minlength=vocab_size) + alpha
    probabilities = counts / counts.sum()
    return float(-np.log2(probabilities[test[1:]]).mean())


def bigram_probabilities(train_ids, vocab_size: int, alpha: float = 1.0) -> np.ndarray:
    r"""(V, V) matrix ``P[a, b]`` = :math:`p(b \mid a) = (n_{ab} + \alpha) / (n_a + \alpha V)`.

    :math:`n_{ab}` counts how often ``b`` follows ``a`` in ``train_ids`` and
    :math:`n_a = \sum_b n_{ab}`; each row sums to 1 (add-one smoothing for
    ``alpha = 1``).
    """
    train = _ids_1d("train_ids", train_ids, vocab_size)
    pairs = np.bincount(train[:-1] * vocab_size + train[1:], minlength=vocab_size * vocab_size)
    counts = pairs.reshape(vocab_size, vocab_size) + alpha
    return counts / counts.sum(axis=1, keepdims=True)


def bigram_bits_per_char(train_ids, test_ids, vocab_size: int, alpha: float = 1.0) -> float:
    r"""Bits per character of the smoothed bigram model on ``test_ids``.

    The mean of :math:`-\log_2 p(c_{t+1} \mid c_t)` over the ``len(test_ids) - 1``
    consecutive pairs of ``test_ids``, with :func:`bigram_probabilities`.
    """
    test = _ids_1d("test_ids", test_ids, vocab_size)
    probabilities = bigram_probabilities(train_ids, vocab_size, alpha)
    return float(-np.log2(probabilities[test[:-1], test[1:]]).mean())
