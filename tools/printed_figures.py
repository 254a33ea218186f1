#!/usr/bin/env python3
"""Print every line a notebook prints when run, to compare runs across machines or versions.

    python tools/printed_figures.py solutions/03_*.ipynb > mine.txt
    .venv-colab/bin/python tools/printed_figures.py solutions/03_*.ipynb > colab.txt
    diff mine.txt colab.txt

The notebook runs in a fresh kernel of the Python that runs this script. Lines
that report a duration are left out, since they differ from run to run. On one
machine with one set of versions, two runs print the same lines (a test checks
it); the README's "Seeds and reproducibility" says what changes elsewhere.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

TIMING = re.compile(r"\d+(\.\d+)?\s*(s|ms|seconds)\b")


def printed_lines(path: Path) -> list[str]:
    """Every line the notebook prints to stdout, without the lines that report a duration."""
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(Path(path).parent)}}).execute()
    # One print may reach the notebook in several chunks: join them before splitting lines.
    printed = "".join(
        output["text"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stdout"
    )
    return [line for line in printed.splitlines() if not TIMING.search(line)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebook", type=Path)
    args = parser.parse_args()
    print("\n".join(printed_lines(args.notebook)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
