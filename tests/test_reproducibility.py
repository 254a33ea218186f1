"""Same seed, same figures: solution notebooks print the same numbers when run twice.

A representative subset runs twice in fresh kernels: lesson 01, without training,
and lessons 02 and 03, which train (lesson 02's "Same seed, same numbers?" paragraph
promises this). Every line they print must be the same both times, apart from lines
that report a duration.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SUBSET = ["01_sequences_and_the_recurrent_cell.ipynb", "02_backpropagation_through_time.ipynb",
          "03_vanishing_and_exploding_gradients.ipynb"]

_spec = importlib.util.spec_from_file_location("printed_figures",
                                               ROOT / "tools" / "printed_figures.py")
printed_figures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(printed_figures)
printed_lines = printed_figures.printed_lines


@pytest.mark.parametrize("name", [n for n in SUBSET if (ROOT / "solutions" / n).exists()])
def test_a_solution_prints_the_same_numbers_twice(name):
    path = ROOT / "solutions" / name
    first, second = printed_lines(path), printed_lines(path)
    assert first, f"{name} printed nothing"
    assert first == second
