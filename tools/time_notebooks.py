#!/usr/bin/env python3
"""Run notebooks end to end and print how long each takes.

    python tools/time_notebooks.py                 # every notebook in lessons/ and solutions/
    python tools/time_notebooks.py solutions/04_*.ipynb

Each notebook runs in a fresh kernel from this Python, as nbval runs it in the
tests; the time includes the kernel's start and TensorFlow's import. Exits 1 if
a notebook fails or takes longer than --limit seconds (default 120).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]


def _stderr_lines(notebook) -> int:
    return sum(
        len(output.get("text", "").splitlines())
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stderr"
    )


def run(path: Path) -> tuple[float, str]:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    try:
        client.execute()
        noise = _stderr_lines(notebook)
        status = "ok" if not noise else f"ok, but {noise} lines on stderr (warnings or logs)"
    except CellExecutionError as error:
        status = "FAILED: " + str(error).strip().splitlines()[-1][:100]
    return time.perf_counter() - started, status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--limit", type=float, default=120.0, help="seconds allowed per notebook")
    args = parser.parse_args()
    paths = args.notebooks or sorted((ROOT / "lessons").glob("*.ipynb")) + sorted(
        (ROOT / "solutions").glob("*.ipynb"))
    bad = 0
    total = 0.0
    for path in paths:
        seconds, status = run(path)
        total += seconds
        over = seconds > args.limit
        bad += over or status != "ok"
        flag = "  OVER THE LIMIT" if over else ""
        print(f"{seconds:7.1f} s  {path.parent.name}/{path.name}  {status}{flag}", flush=True)
    print(f"{total:7.1f} s  in all, {len(paths)} notebooks")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
