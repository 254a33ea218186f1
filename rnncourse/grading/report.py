"""The grader's table (for people) and JSON report (for programs), with points.

Both format verdicts the grader decided; the points come from
:mod:`rnncourse.grading.scoring`.
"""

from __future__ import annotations

import json
import os
import shutil
import textwrap

from rnncourse.grading.grader import BROKEN, NotebookResult, summary
from rnncourse.grading.scoring import GradingConfig, SubmissionScore, format_points, score, tidy


def _display_path(path: str) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive, on Windows
        return path
    return path if relative.startswith("..") else relative


def scores_of(
    results: list[NotebookResult],
    config: GradingConfig | None = None,
    learners: list[str] | None = None,
) -> list[SubmissionScore]:
    """The points of each result (class defaults unless ``config`` says otherwise)."""
    config = config or GradingConfig()
    learners = learners or [""] * len(results)
    lessons = tuple(sorted({r.lesson for r in results if r.lesson}))
    return [score(r, config, learner, lessons) for r, learner in zip(results, learners)]


def _rows(scores: list[SubmissionScore]) -> list[tuple[str, str, str, str, str]]:
    """One row per exercise, then the notebook's total; its name only on its first row."""
    rows = []
    for item in scores:
        name = _display_path(item.path)
        if item.message and (item.status == BROKEN or not item.exercises):
            rows.append((name, "(notebook)", item.status, "", item.message))
            name = ""
        for ex in item.exercises:
            points = f"{format_points(ex.earned)}/{format_points(ex.possible)}"
            message = ex.message
            if item.status == BROKEN and message == item.message:
                message = "(not graded: see the notebook's message above)"
            rows.append((name, ex.exercise, ex.status, points, message))
            name = ""
        total = f"{format_points(item.earned)}/{format_points(item.possible)}"
        rows.append((name, "(total)", "", total, f"{item.percentage:g}%"))
    return rows


def format_table(
    results: list[NotebookResult],
    width: int | None = None,
    *,
    scores: list[SubmissionScore] | None = None,
) -> str:
    """A plain-text table: notebook, exercise, verdict, points, message; then totals."""
    scores = scores if scores is not None else scores_of(results)
    width = width or shutil.get_terminal_size((120, 20)).columns
    rows = _rows(scores)
    header = ("notebook", "exercise", "verdict", "points", "message")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    fixed = sum(widths) + 8
    message_width = max(30, width - fixed)
    lines = []
    for row in [header, *rows]:
        wrapped = textwrap.wrap(row[4], message_width) or [""]
        first = "  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths))
        lines.append(f"{first}  {wrapped[0]}".rstrip())
        lines.extend(f"{' ' * fixed}{more}" for more in wrapped[1:])
        if row is header:
            lines.append("-" * min(width, fixed + message_width))
    counts = summary(results)
    earned = sum(s.earned for s in scores)
    possible = sum(s.possible for s in scores)
    lines.append("")
    lines.append(
        f"{counts['notebooks']} notebooks: {counts['passed']} exercises passed, "
        f"{counts['failed']} failed, {counts['not attempted']} not attempted; "
        f"{counts['broken notebooks']} notebooks broken; "
        f"{format_points(earned)} of {format_points(possible)} points."
    )
    return "\n".join(lines)


def report_json(
    results: list[NotebookResult],
    *,
    scores: list[SubmissionScore] | None = None,
    config: GradingConfig | None = None,
) -> str:
    """The machine-readable report: the verdicts, with points per exercise and in total."""
    scores = scores if scores is not None else scores_of(results, config)
    config = config or GradingConfig()
    totals = summary(results)
    totals["points"] = tidy(sum(s.earned for s in scores))
    totals["max_points"] = tidy(sum(s.possible for s in scores))
    return json.dumps(
        {
            "summary": totals,
            "passed": all(s.passed for s in scores) and bool(scores),
            "config": config.source,
            "dropped": sorted(config.drop),
            "notebooks": [s.to_dict() for s in scores],
        },
        indent=2,
    )
