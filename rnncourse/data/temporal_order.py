r"""The temporal-order task (Hochreiter & Schmidhuber 1997, experiment 6a).

Eight symbols, one-hot coded in the order ``X, Y, a, b, c, d, B, E`` (so ``X``
is index 0 and ``E`` index 7). A sequence of length :math:`L` is

.. math::

    s_0 = B,\quad s_{L-1} = E,\quad s_{t_1}, s_{t_2} \in \{X, Y\},\quad
    s_t \in \{a, b, c, d\} \text{ otherwise},

with positions counted from 0 (``B`` at 0) and :math:`t_1 < t_2`. The class is
the ordered pair of markers, drawn uniformly: ``XX=0, XY=1, YX=2, YY=3``, i.e.
:math:`\text{class} = 2\,[s_{t_1}=Y] + [s_{t_2}=Y]`. The distractors carry no
information, so a model must remember the first marker for
:math:`t_2 - t_1` steps.

Named levels (every range **inclusive** at both ends; ``T`` is the padded
length, the level's largest sequence length):

============  ========  =======  ========  ===
level         length    t1       t2        T
============  ========  =======  ========  ===
easy          7-8       1-2      4-5       8
normal        30-40     2-5      20-27     40
moderate      60-80     10-20    45-54     80
hard          100-110   10-20    50-60     110
nightmare     300-500   10-80    250-290   500
============  ========  =======  ========  ===

(The DLSP20 implementation draws the same ranges with an exclusive upper bound
and pads to one more step; ``hard`` is the paper's setting.) Use
:class:`TemporalOrderLevel` for other ranges.

Example::

    >>> data = generate_temporal_order(4, "easy", seed=0)
    >>> data.inputs.shape, data.inputs.dtype, data.labels.shape
    ((4, 8, 8), dtype('float32'), (4,))
    >>> decode_sequences(data.inputs)[0]  # doctest: +SKIP
    '. B a c X d Y b E'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ._checks import check_choice, check_int
from ._random import SeedLike, as_generator

#: The eight symbols in one-hot order.
SYMBOLS = ("X", "Y", "a", "b", "c", "d", "B", "E")
#: The four classes: the ordered pair of markers.
CLASSES = ("XX", "XY", "YX", "YY")
N_SYMBOLS = len(SYMBOLS)
N_CLASSES = len(CLASSES)
PADDINGS = ("pre", "post")

_X, _B, _E = 0, 6, 7
_FIRST_DISTRACTOR, _N_DISTRACTORS = 2, 4
_PAD = N_SYMBOLS  # symbol id used internally for a padding step (an all-zero row)
_ONE_HOT_TABLE = np.vstack([np.eye(N_SYMBOLS, dtype=np.float32),
                            np.zeros((1, N_SYMBOLS), np.float32)])


@dataclass(frozen=True)
class TemporalOrderLevel:
    """Ranges for one difficulty level; every range ``(low, high)`` is inclusive.

    The ranges must guarantee a valid sequence for every draw:
    ``1 <= t1_low``, ``t1_high < t2_low`` (so t1 < t2) and
    ``t2_high <= length_low - 2`` (so the second marker comes before ``E``).

    >>> TemporalOrderLevel(length=(12, 14), t1=(1, 3), t2=(6, 9)).padded_length
    14
    """

    length: tuple[int, int]
    t1: tuple[int, int]
    t2: tuple[int, int]
    name: str = "custom"

    def __post_init__(self) -> None:
        for field in ("length", "t1", "t2"):
            pair = getattr(self, field)
            if not (isinstance(pair, tuple | list) and len(pair) == 2):
                raise ValueError(f"{field} must be a pair (low, high), got {pair!r}")
            low = check_int(f"{field} low", pair[0], minimum=0)
            high = check_int(f"{field} high", pair[1], minimum=0)
            if low > high:
                raise ValueError(f"{field} range ({low}, {high}) is empty: low must be <= high")
            object.__setattr__(self, field, (low, high))
        if self.t1[0] < 1:
            raise ValueError(f"t1 must be at least 1 (B sits at position 0), got t1={self.t1}")
        if self.t1[1] >= self.t2[0]:
            raise ValueError(
                f"t1 range {self.t1} and t2 range {self.t2} overlap: every t1 must be smaller "
                f"than every t2, i.e. t1 high < t2 low"
            )
        if self.t2[1] > self.length[0] - 2:
            raise ValueError(
                f"t2 high ({self.t2[1]}) must be at most length low - 2 ({self.length[0] - 2}) "
                f"so that the second marker comes before E in the shortest sequence"
            )

    @property
    def padded_length(self) -> int:
        """T, the length every sequence is padded to (the largest length)."""
        return self.length[1]


#: The named levels, ranges inclusive.
LEVELS: dict[str, TemporalOrderLevel] = {
    "easy": TemporalOrderLevel((7, 8), (1, 2), (4, 5), "easy"),
    "normal": TemporalOrderLevel((30, 40), (2, 5), (20, 27), "normal"),
    "moderate": TemporalOrderLevel((60, 80), (10, 20), (45, 54), "moderate"),
    "hard": TemporalOrderLevel((100, 110), (10, 20), (50, 60), "hard"),
    "nightmare": TemporalOrderLevel((300, 500), (10, 80), (250, 290), "nightmare"),
}


def get_level(level: str | TemporalOrderLevel) -> TemporalOrderLevel:
    """Look up a named level, or pass a :class:`TemporalOrderLevel` through."""
    if isinstance(level, TemporalOrderLevel):
        return level
    return LEVELS[check_choice("level", level, tuple(LEVELS))]


class TemporalOrderData(NamedTuple):
    """A batch of the temporal-order task.

    - ``inputs``: (n, T, 8) float32, one-hot rows, all-zero rows for padding;
    - ``labels``: (n,) int64 in {0, 1, 2, 3} (``CLASSES[label]``);
    - ``lengths``: (n,) int64, the unpadded lengths;
    - ``t1``, ``t2``: (n,) int64, marker positions in the *unpadded* sequence;
    - ``padding``: ``"pre"`` or ``"post"``.
    """

    inputs: np.ndarray
    labels: np.ndarray
    lengths: np.ndarray
    t1: np.ndarray
    t2: np.ndarray
    padding: str

    def mask(self) -> np.ndarray:
        """(n, T) bool, True on real steps (see :func:`padding_mask`)."""
        return padding_mask(self.lengths, self.inputs.shape[1], self.padding)


def padding_mask(lengths: np.ndarray, padded_length: int, padding: str = "pre") -> np.ndarray:
    """(n, T) boolean mask, True where a step is real and False where it is padding.

    With ``padding="pre"`` the real steps are the last ``length`` ones, with
    ``"post"`` the first ``length`` ones.
    """
    check_choice("padding", padding, PADDINGS)
    padded_length = check_int("padded_length", padded_length, minimum=0)
    lengths = np.asarray(lengths)
    if lengths.ndim != 1:
        raise ValueError(f"lengths must be 1-D, got shape {lengths.shape}")
    if lengths.size and (lengths.min() < 0 or lengths.max() > padded_length):
        raise ValueError(f"lengths must lie in [0, {padded_length}]")
    steps = np.arange(padded_length)
    if padding == "post":
        return steps[None, :] < lengths[:, None]
    return steps[None, :] >= (padded_length - lengths)[:, None]


def generate_temporal_order(
    n: int,
    level: str | TemporalOrderLevel = "easy",
    *,
    seed: SeedLike,
    padding: str = "pre",
) -> TemporalOrderData:
    """Draw ``n`` temporal-order sequences at ``level`` (fully vectorised).

    ``seed`` is an int or a :class:`numpy.random.Generator`; ``padding`` is
    ``"pre"`` (zeros before the sequence, the classic choice: the last step is
    always ``E``) or ``"post"`` (zeros after it; use a mask).
    """
    n = check_int("n", n, minimum=0)
    level = get_level(level)
    check_choice("padding", padding, PADDINGS)
    rng = as_generator(seed)
    T = level.padded_length

    lengths = rng.integers(level.length[0], level.length[1] + 1, size=n)
    t1 = rng.integers(level.t1[0], level.t1[1] + 1, size=n)
    t2 = rng.integers(level.t2[0], level.t2[1] + 1, size=n)
    labels = rng.integers(0, N_CLASSES, size=n)
    # symbol ids of each sequence from step 0, padding after it (small ints keep it fast)
    symbols = rng.integers(_FIRST_DISTRACTOR, _FIRST_DISTRACTOR + _N_DISTRACTORS, size=(n, T),
                           dtype=np.int8)
    rows, steps = np.arange(n), np.arange(T)
    symbols[rows, 0] = _B
    symbols[rows, t1] = _X + labels // 2  # X (0) or Y (1)
    symbols[rows, t2] = _X + labels % 2
    symbols[rows, lengths - 1] = _E
    symbols[steps >= lengths[:, None]] = _PAD
    if padding == "pre":  # the same sequences, moved right by their padding
        symbols = _shift_right(symbols, lengths)
    inputs = np.take(_ONE_HOT_TABLE, symbols, axis=0)
    return TemporalOrderData(inputs, labels, lengths, t1, t2, padding)


def _shift_right(symbols: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Move row i's first ``lengths[i]`` entries to the end of the row, padding first.

    One slice copy per distinct length (a handful per level), not per row.
    """
    shifted = np.full_like(symbols, _PAD)
    T = symbols.shape[1]
    for length in np.unique(lengths).tolist():
        rows = np.flatnonzero(lengths == length)
        shifted[rows, T - length:] = symbols[rows, :length]
    return shifted


def decode_sequences(inputs: np.ndarray, pad: str = ".") -> list[str]:
    """Readable strings for one-hot inputs of shape (n, T, 8) or (T, 8).

    Padding rows (all zero) are shown as ``pad`` (pass ``pad=""`` to drop
    them), e.g. ``". B a c X d Y b E"``.
    """
    inputs = np.asarray(inputs)
    if inputs.ndim == 2:
        inputs = inputs[None]
    if inputs.ndim != 3 or inputs.shape[-1] != N_SYMBOLS:
        raise ValueError(f"inputs must have shape (n, T, {N_SYMBOLS}) or (T, {N_SYMBOLS}), "
                         f"got {inputs.shape}")
    names = np.array([*SYMBOLS, pad], dtype=object)
    ids = np.where(inputs.any(axis=-1), inputs.argmax(axis=-1), N_SYMBOLS)
    return [" ".join(token for token in names[row] if token) for row in ids]


def class_name(label: int) -> str:
    """``CLASSES[label]``, e.g. ``class_name(1) == "XY"``."""
    return CLASSES[check_int("label", label, minimum=0, maximum=N_CLASSES - 1)]
