r"""Dates written the way people write them, to translate into ISO 8601.

The source is one date in one of several human formats, the target the same
date as ``YYYY-MM-DD`` (always 10 characters). Dates are drawn uniformly (each
day equally likely) from ``start..end`` inclusive, by default 1950-01-01 to
2049-12-31. Everything is made with :mod:`datetime` and hard-coded English
names, so the output does not depend on the locale.

The formats (:data:`DATE_FORMATS`; numeric day/month order is always
**day first**, as in most of the world, never month first):

=================  ===============================
name               3 February 2021 is written
=================  ===============================
d_mon_yyyy         ``3 Feb 2021``
month_d_yyyy       ``February 3, 2021``
dd/mm/yy           ``03/02/21`` (day first)
weekday_d_month    ``Wednesday, 3 February 2021``
yyyy.mm.dd         ``2021.02.03``
dth_of_month       ``3rd of February 2021``
mon_d_yyyy_lower   ``feb 3 2021``
d-MON-yyyy         ``3-FEB-2021``
dd/mm/yyyy         ``03/02/2021`` (day first)
dy_d_mon_yyyy      ``Wed 3 Feb 2021``
=================  ===============================

A two-digit year (``dd/mm/yy``) names the year in the 100-year window that
starts at ``start.year``; that format is only used when the whole date range
fits in that window (it does for the default range), so every string means one
date.

Both sides are coded with one :class:`CharVocab` (PAD=0, START=1, END=2, then
the characters), so the same embedding table can serve encoder and decoder.

Example::

    >>> data = generate_dates(3, seed=0)
    >>> data.sources[0], data.targets[0]  # doctest: +SKIP
    ('feb 3 2021', '2021-02-03')
    >>> data.encoder_inputs.shape[1] == max_source_length(), data.decoder_targets.shape
    (True, (3, 11))
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

from ._checks import check_int
from ._random import SeedLike, as_generator

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DEFAULT_START = dt.date(1950, 1, 1)
DEFAULT_END = dt.date(2049, 12, 31)
ISO_LENGTH = 10


def _ordinal_suffix(day: int) -> str:
    if 11 <= day <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _month(d: dt.date) -> str:
    return MONTHS[d.month - 1]


def _weekday(d: dt.date) -> str:
    return WEEKDAYS[d.weekday()]


#: name -> function(date) -> string, in a fixed order (format ids index this).
DATE_FORMATS: dict[str, Callable[[dt.date], str]] = {
    "d_mon_yyyy": lambda d: f"{d.day} {_month(d)[:3]} {d.year:04d}",
    "month_d_yyyy": lambda d: f"{_month(d)} {d.day}, {d.year:04d}",
    "dd/mm/yy": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year % 100:02d}",
    "weekday_d_month": lambda d: f"{_weekday(d)}, {d.day} {_month(d)} {d.year:04d}",
    "yyyy.mm.dd": lambda d: f"{d.year:04d}.{d.month:02d}.{d.day:02d}",
    "dth_of_month": lambda d: f"{d.day}{_ordinal_suffix(d.day)} of {_month(d)} {d.year:04d}",
    "mon_d_yyyy_lower": lambda d: f"{_month(d)[:3].lower()} {d.day} {d.year:04d}",
    "d-MON-yyyy": lambda d: f"{d.day}-{_month(d)[:3].upper()}-{d.year:04d}",
    "dd/mm/yyyy": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year:04d}",
    "dy_d_mon_yyyy": lambda d: f"{_weekday(d)[:3]} {d.day} {_month(d)[:3]} {d.year:04d}",
}
FORMAT_NAMES = tuple(DATE_FORMATS)
TWO_DIGIT_YEAR_FORMATS = ("dd/mm/yy",)


def format_date(date: dt.date, format_name: str) -> str:
    """``date`` written in the format ``format_name`` (see :data:`DATE_FORMATS`)."""
    if format_name not in DATE_FORMATS:
        raise ValueError(f"unknown date format {format_name!r}; choose one of "
                         f"{', '.join(FORMAT_NAMES)}")
    return DATE_FORMATS[format_name](date)


class CharVocab:
    """A character vocabulary with PAD=0, START=1 and END=2 for sequence-to-sequence.

    Characters get ids from 3 on, in the order given. Unknown characters raise
    ValueError (the vocabulary is meant to be complete for its task).

    >>> vocab = CharVocab("abc")
    >>> vocab.encode("cab", length=5, add_end=True).tolist()
    [5, 3, 4, 2, 0]
    >>> vocab.decode([5, 3, 4, 2, 0])
    'cab'
    """

    PAD, START, END = 0, 1, 2
    SPECIALS = ("<pad>", "<start>", "<end>")

    def __init__(self, characters: Sequence[str]) -> None:
        characters = list(characters)
        if any(not isinstance(ch, str) or len(ch) != 1 for ch in characters):
            raise ValueError("characters must be single-character strings")
        if len(set(characters)) != len(characters):
            raise ValueError("characters must not repeat")
        self.characters = tuple(characters)
        self._ids = {ch: i + len(self.SPECIALS) for i, ch in enumerate(characters)}

    def __len__(self) -> int:
        return len(self.SPECIALS) + len(self.characters)

    @property
    def size(self) -> int:
        """Number of ids, special tokens included (the Embedding's ``input_dim``)."""
        return len(self)

    def encode(self, text: str, length: int | None = None, *, add_start: bool = False,
               add_end: bool = False) -> np.ndarray:
        """int32 ids of ``text`` (optionally START first / END last), padded to ``length``."""
        unknown = sorted(set(text) - self._ids.keys())
        if unknown:
            raise ValueError(f"characters not in the vocabulary: {unknown!r}")
        ids = ([self.START] if add_start else []) + [self._ids[ch] for ch in text]
        ids += [self.END] if add_end else []
        if length is not None:
            length = check_int("length", length, minimum=0)
            if len(ids) > length:
                raise ValueError(f"{text!r} needs {len(ids)} ids, more than length={length}")
            ids += [self.PAD] * (length - len(ids))
        return np.asarray(ids, dtype=np.int32)

    def encode_batch(self, texts: Sequence[str], length: int, **options: bool) -> np.ndarray:
        """(len(texts), length) int32, each row as :meth:`encode`."""
        return np.stack([self.encode(t, length, **options) for t in texts]) if texts \
            else np.zeros((0, length), np.int32)

    def decode(self, ids: np.ndarray | Sequence[int], *, stop_at_end: bool = True) -> str:
        """The text of ``ids``: PAD and START dropped, stops at END."""
        chars = []
        for i in np.asarray(ids).reshape(-1).tolist():
            if i == self.END and stop_at_end:
                break
            if i >= len(self.SPECIALS):
                if i >= len(self):
                    raise ValueError(f"id {i} is outside the vocabulary 0..{len(self) - 1}")
                chars.append(self.characters[i - len(self.SPECIALS)])
        return "".join(chars)

    def __repr__(self) -> str:
        return f"CharVocab({''.join(self.characters)!r})"


@functools.cache
def date_vocab() -> CharVocab:
    """The vocabulary of every character any format or ISO target can use."""
    names = MONTHS + WEEKDAYS
    letters = {ch for name in names for ch in name + name.lower() + name.upper()}
    letters |= set("stndrdthof")  # ordinal suffixes and "of" (lower case already)
    return CharVocab(sorted(letters | set("0123456789 ,./-")))


@functools.cache
def max_source_length() -> int:
    """The longest string any format produces (the encoder's padded length)."""
    # the longest names: September, Wednesday; day 23 -> "23rd"; four-digit years
    longest = dt.date(2000, 9, 27)  # a Wednesday in September
    candidates = [dt.date(2000, 9, 20) + dt.timedelta(days=k) for k in range(11)] + [longest]
    return max(len(fmt(d)) for d in candidates for fmt in DATE_FORMATS.values())


class DatesData(NamedTuple):
    """Strings and their encodings.

    - ``sources`` / ``targets``: lists of n strings (human, ISO);
    - ``format_ids``: (n,) int64 index into :data:`FORMAT_NAMES`;
    - ``encoder_inputs``: (n, max_source_length()) int32, PAD at the end;
    - ``decoder_inputs``: (n, 11) int32, START + ISO;
    - ``decoder_targets``: (n, 11) int32, ISO + END;
    - ``vocab``: the :class:`CharVocab` used for both sides.
    """

    sources: list[str]
    targets: list[str]
    format_ids: np.ndarray
    encoder_inputs: np.ndarray
    decoder_inputs: np.ndarray
    decoder_targets: np.ndarray
    vocab: CharVocab


def _check_range(start: dt.date, end: dt.date) -> None:
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise ValueError(f"{name} must be a datetime.date, got {value!r}")
    if start > end:
        raise ValueError(f"start ({start}) must not be after end ({end})")
    if start.year < 1000:
        raise ValueError(f"start must be in year 1000 or later (four-digit years), got {start}")


def allowed_formats(start: dt.date = DEFAULT_START, end: dt.date = DEFAULT_END) -> tuple[str, ...]:
    """Format names usable for dates in ``start..end``: two-digit years only
    when the range fits in the 100 years from ``start.year``."""
    _check_range(start, end)
    fits = end.year - start.year < 100
    return tuple(name for name in FORMAT_NAMES if fits or name not in TWO_DIGIT_YEAR_FORMATS)


def random_dates(n: int, *, seed: SeedLike, start: dt.date = DEFAULT_START,
                 end: dt.date = DEFAULT_END) -> list[dt.date]:
    """``n`` dates drawn uniformly (every day equally likely) from ``start..end``."""
    n = check_int("n", n, minimum=0)
    _check_range(start, end)
    ordinals = as_generator(seed).integers(start.toordinal(), end.toordinal() + 1, size=n)
    return [dt.date.fromordinal(int(k)) for k in ordinals]


def generate_dates(n: int, *, seed: SeedLike, start: dt.date = DEFAULT_START,
                   end: dt.date = DEFAULT_END,
                   formats: Sequence[str] | None = None) -> DatesData:
    """Draw ``n`` dates in ``start..end``, each written in a format drawn uniformly.

    ``formats`` restricts the formats (names from :data:`FORMAT_NAMES`); by
    default every format allowed for the range is used.
    """
    n = check_int("n", n, minimum=0)
    usable = allowed_formats(start, end)
    if formats is None:
        formats = usable
    else:
        formats = tuple(formats)
        for name in formats:
            if name not in DATE_FORMATS:
                raise ValueError(f"unknown date format {name!r}; choose one of "
                                 f"{', '.join(FORMAT_NAMES)}")
            if name not in usable:
                raise ValueError(f"format {name!r} has a two-digit year, which is ambiguous "
                                 f"for dates {start}..{end} (more than 100 years)")
        if not formats:
            raise ValueError("formats must name at least one format")
    rng = as_generator(seed)
    dates = random_dates(n, seed=rng, start=start, end=end)
    chosen = rng.integers(0, len(formats), size=n)
    names = [formats[i] for i in chosen.tolist()]
    sources = [DATE_FORMATS[name](d) for name, d in zip(names, dates, strict=True)]
    targets = [d.isoformat() for d in dates]
    vocab = date_vocab()
    format_ids = np.asarray([FORMAT_NAMES.index(name) for name in names], dtype=np.int64)
    return DatesData(
        sources, targets, format_ids,
        vocab.encode_batch(sources, max_source_length()),
        vocab.encode_batch(targets, ISO_LENGTH + 1, add_start=True),
        vocab.encode_batch(targets, ISO_LENGTH + 1, add_end=True),
        vocab,
    )
