"""Reading and writing notebooks, and the course's cell markers.

The markers are plain comments, visible in Jupyter and Colab alike (cell tags
are hidden there and easily lost):

``# SETUP``
    first line of the cell that imports what the exercises use. The grader
    runs it before the exercise cells.
``# EXERCISE: name``
    first line of a graded cell; ``name`` is the function the cell defines and
    the check that follows it (``check("name")``). The grader runs these cells
    and nothing else of the learner's notebook.
``### BEGIN SOLUTION`` ... ``### END SOLUTION``
    in the solution notebook, the code the learner writes. The lesson notebook
    has a stub there (see :mod:`rnncourse.authoring`).
``### BEGIN ASSERTS`` ... ``### END ASSERTS``
    in the solution notebook, the assertions that back the text's claims; the
    lesson notebook leaves them out (it shows the same numbers, unasserted).

Notebooks are read and written as JSON in nbformat 4 (no dependency on
``nbformat``, so that the grader also runs where only the package is
installed).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

SETUP_MARKER = re.compile(r"^#\s*SETUP\b")
EXERCISE_MARKER = re.compile(r"^#\s*EXERCISE:\s*([A-Za-z_]\w*)")
LESSON_FROM_FILENAME = re.compile(r"^(\d{2})[_\-\s]")


class NotebookError(ValueError):
    """The file is not a notebook the course can read."""


def read_notebook(path: str | Path) -> dict:
    """The notebook at ``path`` as a dict; :class:`NotebookError` if unreadable."""
    path = Path(path)
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise NotebookError(f"cannot read {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise NotebookError(f"{path} is not valid JSON (line {exc.lineno}): {exc.msg}") from exc
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise NotebookError(f"{path} is not a Jupyter notebook (no list of cells)")
    for cell in notebook["cells"]:
        if not isinstance(cell, dict) or "cell_type" not in cell:
            raise NotebookError(f"{path} has a malformed cell")
        cell["source"] = cell_source(cell)
    return notebook


def write_notebook(notebook: dict, path: str | Path) -> None:
    """Write ``notebook`` as Jupyter does (one-space indent, sources as line lists)."""
    out = dict(notebook)
    out["cells"] = [
        dict(cell, source=cell["source"].splitlines(keepends=True)) for cell in notebook["cells"]
    ]
    text = json.dumps(out, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    Path(path).write_text(text, encoding="utf-8")


def cell_source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def first_line(source: str) -> str:
    return source.lstrip("\n").split("\n", 1)[0].strip()


def is_setup_cell(cell: dict) -> bool:
    return cell["cell_type"] == "code" and bool(SETUP_MARKER.match(first_line(cell["source"])))


def exercise_name(cell: dict) -> str | None:
    """The exercise a code cell holds (``# EXERCISE: name``), or ``None``."""
    if cell["cell_type"] != "code":
        return None
    match = EXERCISE_MARKER.match(first_line(cell["source"]))
    return match.group(1) if match else None


@dataclass
class GradedCells:
    """The cells the grader runs: set-up cells, then exercise cells by name."""

    setup: list[str]
    exercises: dict[str, str]


def graded_cells(notebook: dict) -> GradedCells:
    setup, exercises = [], {}
    for cell in notebook["cells"]:
        if is_setup_cell(cell):
            setup.append(cell["source"])
        name = exercise_name(cell)
        if name is not None:
            # a cell repeated (learner copied it) counts once: the last one
            # run in order wins in Python too.
            exercises[name] = cell["source"]
    return GradedCells(setup, exercises)


def lesson_of(notebook: dict, path: str | Path) -> str | None:
    """The lesson number ("01"): notebook metadata first, then the file name."""
    meta = notebook.get("metadata", {}).get("rnncourse", {})
    if isinstance(meta, dict) and isinstance(meta.get("lesson"), str):
        return meta["lesson"]
    match = LESSON_FROM_FILENAME.match(Path(path).name)
    return match.group(1) if match else None


def strip_outputs(notebook: dict) -> dict:
    """A copy without outputs, execution counts or per-run metadata."""
    out = dict(notebook)
    cells = []
    for cell in notebook["cells"]:
        cell = dict(cell)
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        metadata = {k: v for k, v in cell.get("metadata", {}).items() if k in ("tags",)}
        cell["metadata"] = metadata
        cells.append(cell)
    out["cells"] = cells
    return out


def has_outputs(notebook: dict) -> bool:
    return any(
        cell.get("outputs") or cell.get("execution_count") is not None
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
    )
