"""Same seed, same figures: solution notebooks print the same numbers when run twice.

A representative subset (one lesson without training, one with) runs twice in
fresh kernels; every line they print must be the same both times, apart from
lines that report a duration.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SUBSET = ["01_sequences_and_the_recurrent_cell.ipynb", "03_vanishing_and_exploding_gradients.ipynb"]
TIMING = re.compile(r"\d+(\.\d+)?\s*(s|ms|seconds)\b")


def printed_lines(path: Path) -> list[str]:
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    # One print may reach the notebook in several chunks: join them before splitting lines.
    printed = "".join(
        output["text"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stdout"
    )
    return [line for line in printed.splitlines() if not TIMING.search(line)]


@pytest.mark.parametrize("name", [n for n in SUBSET if (ROOT / "solutions" / n).exists()])
def test_a_solution_prints_the_same_numbers_twice(name):
    path = ROOT / "solutions" / name
    first, second = printed_lines(path), printed_lines(path)
    assert first, f"{name} printed nothing"
    assert first == second
