"""The grader's table (for people) and JSON report (for programs)."""

from __future__ import annotations

import json
import os
import shutil
import textwrap

from rnncourse.grading.grader import BROKEN, NotebookResult, summary


def _display_path(path: str) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive, on Windows
        return path
    return path if relative.startswith("..") else relative


def _rows(results: list[NotebookResult]) -> list[tuple[str, str, str, str]]:
    """One row per exercise; the notebook's name only on its first row."""
    rows = []
    for result in results:
        name = _display_path(result.path)
        if result.status == BROKEN and result.message:
            rows.append((name, "(notebook)", result.status, result.message))
            name = ""
        for verdict in result.verdicts:
            rows.append((name, verdict.exercise, verdict.status, verdict.message))
            name = ""
    return rows


def format_table(results: list[NotebookResult], width: int | None = None) -> str:
    """A plain-text table: notebook, exercise, verdict, message; then totals."""
    width = width or shutil.get_terminal_size((120, 20)).columns
    rows = _rows(results)
    header = ("notebook", "exercise", "verdict", "message")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    message_width = max(30, width - sum(widths) - 6)
    lines = []
    for row in [header, *rows]:
        wrapped = textwrap.wrap(row[3], message_width) or [""]
        first = "  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths))
        lines.append(f"{first}  {wrapped[0]}".rstrip())
        indent = " " * (sum(widths) + 6)
        lines.extend(f"{indent}{more}" for more in wrapped[1:])
        if row is header:
            lines.append("-" * min(width, sum(widths) + 6 + message_width))
    counts = summary(results)
    lines.append("")
    lines.append(
        f"{counts['notebooks']} notebooks: {counts['passed']} exercises passed, "
        f"{counts['failed']} failed, {counts['not attempted']} not attempted; "
        f"{counts['broken notebooks']} notebooks broken."
    )
    return "\n".join(lines)


def report_json(results: list[NotebookResult]) -> str:
    """The machine-readable report."""
    return json.dumps(
        {
            "summary": summary(results),
            "passed": all(r.passed for r in results) and bool(results),
            "notebooks": [r.to_dict() for r in results],
        },
        indent=2,
    )
