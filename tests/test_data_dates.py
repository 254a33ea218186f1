"""Dates: every string parses back to its ISO target; the vocabulary covers them all."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnncourse.data.dates import (
    FORMAT_NAMES,
    MONTHS,
    WEEKDAYS,
    CharVocab,
    allowed_formats,
    date_vocab,
    format_date,
    generate_dates,
    max_source_length,
    random_dates,
)


def parse_human_date(text: str, window_start: int = 1950) -> dt.date:
    """An independent parser: month names, ordinals, day-first numbers, yy windows."""
    words = re.findall(r"[A-Za-z]+", text)
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    month_names = [m[:3].lower() for m in MONTHS]
    months = [month_names.index(w[:3].lower()) + 1 for w in words
              if w[:3].lower() in month_names and w.lower() not in ("of", "st", "nd", "rd", "th")]
    weekday = [w for w in words if w.lower()[:3] in [d[:3].lower() for d in WEEKDAYS]
               and w[:3].lower() not in month_names]
    if months:
        (month,) = months
        year = next(n for n in numbers if n >= 1000)
        (day,) = [n for n in numbers if n < 1000]
    else:
        first, second, third = numbers
        raw_year = re.findall(r"\d+", text)
        if len(raw_year[0]) == 4:
            year, month, day = first, second, third
        else:
            day, month, year = first, second, third
            if len(raw_year[2]) == 2:
                year = window_start + (year - window_start) % 100
    date = dt.date(year, month, day)
    if weekday:
        assert WEEKDAYS[date.weekday()].startswith(weekday[0][:3])
    return date


def test_the_example_date_in_every_format():
    day = dt.date(2021, 2, 3)
    written = [format_date(day, name) for name in FORMAT_NAMES]
    assert written == ["3 Feb 2021", "February 3, 2021", "03/02/21",
                       "Wednesday, 3 February 2021", "2021.02.03", "3rd of February 2021",
                       "feb 3 2021", "3-FEB-2021", "03/02/2021", "Wed 3 Feb 2021"]
    assert len(FORMAT_NAMES) >= 8
    assert all(parse_human_date(text) == day for text in written)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_sources_parse_back_to_their_targets(seed):
    data = generate_dates(50, seed=seed)
    for source, target, fmt in zip(data.sources, data.targets, data.format_ids, strict=True):
        date = dt.date.fromisoformat(target)
        assert dt.date(1950, 1, 1) <= date <= dt.date(2049, 12, 31)
        assert parse_human_date(source) == date
        assert format_date(date, FORMAT_NAMES[fmt]) == source
    vocab = data.vocab
    assert data.encoder_inputs.shape == (50, max_source_length())
    assert data.decoder_inputs.shape == data.decoder_targets.shape == (50, 11)
    assert all(a.dtype == np.int32 for a in data[3:6])
    assert [vocab.decode(row) for row in data.encoder_inputs] == data.sources
    assert [vocab.decode(row) for row in data.decoder_targets] == data.targets
    assert [vocab.decode(row) for row in data.decoder_inputs] == data.targets
    assert (data.decoder_inputs[:, 0] == CharVocab.START).all()
    assert (data.decoder_targets[:, -1] == CharVocab.END).all()


def test_every_ordinal_and_every_long_name_fits():
    days = [dt.date(2000, 1, 1) + dt.timedelta(days=k) for k in range(366)]
    vocab = date_vocab()
    for day in days:
        for name in FORMAT_NAMES:
            text = format_date(day, name)
            assert len(text) <= max_source_length()
            vocab.encode(text)  # raises if a character is missing
            assert parse_human_date(text) == day
    assert format_date(dt.date(2000, 1, 11), "dth_of_month").startswith("11th")
    assert format_date(dt.date(2000, 1, 22), "dth_of_month").startswith("22nd")


def test_dates_are_uniform_over_the_range():
    dates = random_dates(20000, seed=0, start=dt.date(2000, 1, 1), end=dt.date(2000, 1, 4))
    counts = np.bincount([d.day for d in dates])[1:]
    assert counts.min() > 4700 and counts.max() < 5300


def test_all_formats_appear_and_determinism():
    a, b, c = generate_dates(500, seed=1), generate_dates(500, seed=1), generate_dates(500, seed=2)
    assert set(a.format_ids.tolist()) == set(range(len(FORMAT_NAMES)))
    assert a.sources == b.sources and a.sources != c.sources


def test_wide_ranges_drop_two_digit_years():
    start, end = dt.date(1000, 1, 1), dt.date(9999, 12, 31)
    assert "dd/mm/yy" not in allowed_formats(start, end)
    data = generate_dates(200, seed=0, start=start, end=end)
    assert FORMAT_NAMES.index("dd/mm/yy") not in data.format_ids
    with pytest.raises(ValueError, match="two-digit year"):
        generate_dates(2, seed=0, start=start, end=end, formats=["dd/mm/yy"])


def test_chosen_formats_only():
    data = generate_dates(30, seed=0, formats=["yyyy.mm.dd"])
    assert all(re.fullmatch(r"\d{4}\.\d\d\.\d\d", s) for s in data.sources)


def test_char_vocab():
    vocab = CharVocab("abc")
    assert vocab.encode("cab", length=5, add_end=True).tolist() == [5, 3, 4, 2, 0]
    assert vocab.encode("ab", add_start=True).tolist() == [1, 3, 4]
    assert vocab.decode([1, 5, 3, 2, 4]) == "ca"
    assert vocab.size == 6


@pytest.mark.parametrize("kwargs, message", [
    (dict(start=dt.date(2000, 1, 2), end=dt.date(2000, 1, 1)), "must not be after"),
    (dict(start="2000-01-01"), "datetime.date"),
    (dict(start=dt.date(999, 1, 1)), "year 1000"),
    (dict(formats=["iso"]), "unknown date format 'iso'; choose one of"),
    (dict(formats=[]), "at least one format"),
    (dict(n=-1), "n must be at least 0"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        generate_dates(**(dict(n=3, seed=0) | kwargs))


def test_bad_vocab_arguments():
    with pytest.raises(ValueError, match="not in the vocabulary"):
        CharVocab("ab").encode("abc")
    with pytest.raises(ValueError, match="repeat"):
        CharVocab("aa")
    with pytest.raises(ValueError, match="more than length"):
        CharVocab("ab").encode("abab", length=3)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        CharVocab("ab").decode([9])
    with pytest.raises(ValueError, match="unknown date format"):
        format_date(dt.date(2000, 1, 1), "nope")
