r"""Copy, reverse and sort: small sequence-to-sequence tasks on digit tokens.

A source sequence :math:`x_1 \dots x_L` of ``L`` digit tokens
(``min_len <= L <= max_len``, uniform) maps to a target :math:`y_1 \dots y_L`:

- ``copy``: :math:`y = x`;
- ``reverse``: :math:`y_i = x_{L+1-i}`;
- ``sort``: :math:`y` is :math:`x` in ascending order.

Token ids: ``PAD=0``, ``START=1``, ``END=2``, then the digits: token
``FIRST_DIGIT + d`` stands for digit ``d`` (``0 <= d < n_symbols``, at most 10
so that every digit prints as one character). For teacher forcing the decoder
reads the target shifted right behind ``START`` and predicts the target
followed by ``END``:

======================  ==========================================
encoder_inputs (n, Lmax)     ``x_1 .. x_L PAD ..``
decoder_inputs (n, Lmax+1)   ``START y_1 .. y_L PAD ..``
decoder_targets (n, Lmax+1)  ``y_1 .. y_L END PAD ..``
======================  ==========================================

All three are int32, padded with ``PAD`` at the end.

Example::

    >>> data = generate_sequence_task(2, "reverse", min_len=3, max_len=5, seed=0)
    >>> decode_tokens(data.encoder_inputs[0]), decode_tokens(data.decoder_targets[0])
    ... # doctest: +SKIP
    ('8031', '1308')
    >>> encode_tokens("1308", length=6).tolist()
    [4, 6, 3, 11, 0, 0]
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import check_choice, check_int
from ._random import SeedLike, as_generator

PAD, START, END = 0, 1, 2
FIRST_DIGIT = 3
MAX_SYMBOLS = 10
TASKS = ("copy", "reverse", "sort")
SPECIAL_NAMES = {PAD: "", START: "<", END: ">"}


def vocabulary_size(n_symbols: int = MAX_SYMBOLS) -> int:
    """Number of token ids: 3 special tokens plus ``n_symbols`` digits."""
    return FIRST_DIGIT + check_int("n_symbols", n_symbols, minimum=1, maximum=MAX_SYMBOLS)


class SequenceTaskData(NamedTuple):
    """Encoder inputs (n, Lmax), decoder inputs and targets (n, Lmax + 1), all int32
    and padded with PAD at the end; ``lengths`` (n,) int64 source lengths."""

    encoder_inputs: np.ndarray
    decoder_inputs: np.ndarray
    decoder_targets: np.ndarray
    lengths: np.ndarray


def generate_sequence_task(n: int, task: str = "copy", *, min_len: int = 1, max_len: int = 10,
                           n_symbols: int = MAX_SYMBOLS, seed: SeedLike) -> SequenceTaskData:
    """Draw ``n`` examples of ``task`` ("copy", "reverse" or "sort"), vectorised."""
    n = check_int("n", n, minimum=0)
    check_choice("task", task, TASKS)
    min_len = check_int("min_len", min_len, minimum=1)
    max_len = check_int("max_len", max_len, minimum=1)
    if min_len > max_len:
        raise ValueError(f"min_len ({min_len}) must be <= max_len ({max_len})")
    n_symbols = check_int("n_symbols", n_symbols, minimum=1, maximum=MAX_SYMBOLS)
    rng = as_generator(seed)

    lengths = rng.integers(min_len, max_len + 1, size=n)
    digits = rng.integers(0, n_symbols, size=(n, max_len))
    steps = np.arange(max_len)
    real = steps[None, :] < lengths[:, None]
    if task == "copy":
        target_digits = digits
    elif task == "reverse":
        source = np.where(real, lengths[:, None] - 1 - steps[None, :], steps[None, :])
        target_digits = np.take_along_axis(digits, source, axis=1)
    else:  # sort: padding steps get a key above every digit, so they sort last
        target_digits = np.sort(np.where(real, digits, MAX_SYMBOLS), axis=1)

    encoder_inputs = np.where(real, digits + FIRST_DIGIT, PAD).astype(np.int32)
    target_tokens = np.where(real, target_digits + FIRST_DIGIT, PAD).astype(np.int32)
    rows = np.arange(n)
    decoder_targets = np.zeros((n, max_len + 1), np.int32)
    decoder_targets[:, :max_len] = target_tokens
    decoder_targets[rows, lengths] = END
    decoder_inputs = np.zeros((n, max_len + 1), np.int32)
    decoder_inputs[:, 0] = START
    decoder_inputs[:, 1:] = target_tokens
    return SequenceTaskData(encoder_inputs, decoder_inputs, decoder_targets, lengths)


def task_decoder_inputs(decoder_targets: np.ndarray) -> np.ndarray:
    """This task's decoder inputs: targets shifted right behind START, END turned into PAD.

    (The general shift, for any start token, is
    :func:`rnncourse.training.decoder_inputs_from_targets`; this one reproduces the
    generator's own ``decoder_inputs``.)
    """
    targets = np.asarray(decoder_targets)
    if targets.ndim != 2:
        raise ValueError(f"decoder_targets must be 2-D (n, T), got shape {targets.shape}")
    shifted = np.empty_like(targets)
    shifted[:, 0] = START
    shifted[:, 1:] = np.where(targets[:, :-1] == END, PAD, targets[:, :-1])
    return shifted


def encode_tokens(text: str, length: int | None = None, *, add_end: bool = False) -> np.ndarray:
    """Token ids for a string of digits, e.g. ``"314" -> [6, 4, 7]`` (int32).

    ``add_end`` appends END; ``length`` pads with PAD to that length.
    """
    if not isinstance(text, str) or not all(ch in "0123456789" for ch in text):
        raise ValueError(f"text must be a string of digits 0-9, got {text!r}")
    ids = [FIRST_DIGIT + int(ch) for ch in text] + ([END] if add_end else [])
    if length is not None:
        length = check_int("length", length, minimum=0)
        if len(ids) > length:
            raise ValueError(f"{text!r} needs {len(ids)} tokens, more than length={length}")
        ids += [PAD] * (length - len(ids))
    return np.asarray(ids, dtype=np.int32)


def decode_tokens(ids: np.ndarray | list, *, stop_at_end: bool = True,
                  show_special: bool = False) -> str:
    """The digit string of a row of token ids; stops at END, drops PAD and START.

    ``show_special=True`` shows START as ``<`` and END as ``>`` instead.
    """
    chars = []
    for token in np.asarray(ids).reshape(-1).tolist():
        if FIRST_DIGIT <= token < FIRST_DIGIT + MAX_SYMBOLS:
            chars.append(str(token - FIRST_DIGIT))
        elif token in SPECIAL_NAMES:
            if show_special:
                chars.append(SPECIAL_NAMES[token])
            if token == END and stop_at_end:
                break
        else:
            raise ValueError(f"token id {token} is outside the vocabulary "
                             f"0..{FIRST_DIGIT + MAX_SYMBOLS - 1}")
    return "".join(chars)
