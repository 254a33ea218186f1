"""Exports of a graded class: gradebook CSV, JUnit XML, Gradescope and GitHub Classroom
results, Markdown feedback.

Every function here formats :class:`~rnncourse.grading.scoring.SubmissionScore`
objects: the verdicts were decided by the grader, the points by
:mod:`rnncourse.grading.scoring`; nothing is judged again.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from rnncourse.checks.core import NOT_ATTEMPTED, PASSED
from rnncourse.grading.grader import BROKEN
from rnncourse.grading.scoring import GradingConfig, SubmissionScore, format_points, tidy

_SYMBOL = {PASSED: "✅", NOT_ATTEMPTED: "⏳"}

# --------------------------------------------------------------------------
# Gradebook CSV
# --------------------------------------------------------------------------

#: the fixed columns before the exercises' and after them
CSV_LEADING = ("learner", "notebook", "lesson", "status")
CSV_TRAILING = ("total", "max_points", "percentage", "message")


def _target(path) -> Path:
    """``path``, its folder made if missing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def exercise_column(name: str, config: GradingConfig) -> str:
    """An exercise's gradebook column: its name and what it is worth, ``rnn_step (2 points)``."""
    points = config.points_for(name)
    return f"{name} ({format_points(points)} point{'' if points == 1 else 's'})"


def csv_columns(scores: list[SubmissionScore], config: GradingConfig) -> list[str]:
    """learner, notebook, lesson, status, one column per exercise (the assignment's lessons
    in order, each lesson's exercises in notebook order), total, max_points, percentage,
    message: the same columns on every run of the same assignment."""
    exercises = config.columns(s.lesson for s in scores)
    return [*CSV_LEADING, *(exercise_column(n, config) for n in exercises), *CSV_TRAILING]


def gradebook_csv(scores: list[SubmissionScore], config: GradingConfig) -> str:
    """One row per submission; an exercise cell holds the points earned, empty where the
    exercise is not part of that notebook's lesson."""
    columns = csv_columns(scores, config)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for item in scores:
        row = {
            "learner": item.learner,
            "notebook": item.path,
            "lesson": item.lesson or "",
            "status": item.status,
            "total": format_points(item.earned),
            "max_points": format_points(item.possible),
            "percentage": f"{item.percentage:g}",
            "message": item.message,
        }
        for ex in item.exercises:
            column = exercise_column(ex.exercise, config)
            if ex.possible > 0 and column in columns:
                row[column] = format_points(ex.earned)
        writer.writerow(row)
    return out.getvalue()


def write_csv(path, scores: list[SubmissionScore], config: GradingConfig) -> None:
    _target(path).write_text(gradebook_csv(scores, config), encoding="utf-8", newline="")


# --------------------------------------------------------------------------
# JUnit XML
# --------------------------------------------------------------------------


def _clean(text: str) -> str:
    """XML 1.0 cannot hold most control characters, whatever the escaping."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "?", text)


def junit_xml(scores: list[SubmissionScore]) -> str:
    """One ``testsuite`` per notebook, one ``testcase`` per exercise; a failed or not
    attempted exercise carries a ``failure`` with the check's message, a notebook that
    could not be graded an ``error`` on every exercise."""
    suites = ET.Element("testsuites", name="rnncourse")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    total_time = 0.0
    for item in scores:
        name = f"{item.learner}: {Path(item.path).name}" if item.learner else item.path
        suite = ET.SubElement(suites, "testsuite", name=_clean(name))
        properties = ET.SubElement(suite, "properties")
        for key, value in (
            ("learner", item.learner),
            ("notebook", item.path),
            ("lesson", item.lesson or ""),
            ("status", item.status),
            ("points", format_points(item.earned)),
            ("max_points", format_points(item.possible)),
            ("percentage", f"{item.percentage:g}"),
        ):
            ET.SubElement(properties, "property", name=key, value=_clean(value))
        counts = {"tests": 0, "failures": 0, "errors": 0}
        classname = f"lesson{item.lesson or '??'}" + (f".{item.learner}" if item.learner else "")
        if not item.exercises:
            case = ET.SubElement(
                suite, "testcase", classname=classname, name="(notebook)", time="0"
            )
            ET.SubElement(
                case, "error", message=_clean(item.message), type=item.status
            ).text = _clean(item.message)
            counts["tests"] += 1
            counts["errors"] += 1
        for ex in item.exercises:
            case = ET.SubElement(suite, "testcase", classname=classname, name=ex.exercise, time="0")
            counts["tests"] += 1
            if item.status == BROKEN and not ex.passed:
                ET.SubElement(case, "error", message=_clean(ex.message), type=BROKEN).text = _clean(
                    ex.message
                )
                counts["errors"] += 1
            elif not ex.passed:
                ET.SubElement(
                    case, "failure", message=_clean(ex.message), type=ex.status
                ).text = _clean(ex.message)
                counts["failures"] += 1
            ET.SubElement(case, "system-out").text = _clean(
                f"{ex.status}: {format_points(ex.earned)}/{format_points(ex.possible)} points. "
                f"{ex.message}"
            )
        seconds = f"{item.result.seconds:.3f}"
        total_time += item.result.seconds
        suite.set("tests", str(counts["tests"]))
        suite.set("failures", str(counts["failures"]))
        suite.set("errors", str(counts["errors"]))
        suite.set("skipped", "0")
        suite.set("time", seconds)
        for key in totals:
            totals[key] += counts[key]
    for key, value in totals.items():
        suites.set(key, str(value))
    suites.set("time", f"{total_time:.3f}")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode")


def write_junit(path, scores: list[SubmissionScore]) -> None:
    _target(path).write_text(junit_xml(scores) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------
# Gradescope
# --------------------------------------------------------------------------


def _exercise_output(ex) -> str:
    return f"{ex.status}: {ex.message}" if ex.message else ex.status


def gradescope_results(
    scores: list[SubmissionScore],
    config: GradingConfig,
    seconds: float | None = None,
    note: str = "",
) -> dict:
    """Gradescope's ``results.json``: the score, the time, one test per exercise.

    See https://gradescope-autograders.readthedocs.io/en/latest/specs/ ("Output
    format"). ``status`` is "passed" or "failed" (not attempted counts as failed).
    """
    tests = []
    for item in scores:
        for ex in item.exercises:
            if ex.possible == 0 and ex.passed:
                continue
            name = f"{ex.exercise} (lesson {item.lesson})" if item.lesson else ex.exercise
            tests.append(
                {
                    "name": name,
                    "score": ex.earned,
                    "max_score": ex.possible,
                    "status": "passed" if ex.passed else "failed",
                    "output": _exercise_output(ex),
                    "visibility": config.visibility,
                }
            )
    if seconds is None:
        seconds = sum(s.result.seconds for s in scores)
    lines = [note] if note else []
    for item in scores:
        line = (
            f"{Path(item.path).name}: {format_points(item.earned)} of "
            f"{format_points(item.possible)} points"
        )
        lines.append(line + (f". {item.message}" if item.message else "."))
    return {
        "score": tidy(sum(s.earned for s in scores)),
        "execution_time": math.ceil(seconds),
        "output": "\n".join(lines),
        "tests": tests,
    }


def write_gradescope(
    path,
    scores: list[SubmissionScore],
    config: GradingConfig,
    seconds: float | None = None,
    note: str = "",
) -> None:
    data = gradescope_results(scores, config, seconds, note)
    _target(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------
# GitHub Classroom
# --------------------------------------------------------------------------


def classroom_results(scores: list[SubmissionScore]) -> dict:
    """The result one grader step hands to GitHub Classroom's reporter
    (``classroom-resources/autograding-grading-reporter``), which adds up the
    tests' ``score`` and the ``max_score``."""
    tests = []
    for item in scores:
        for ex in item.exercises:
            if ex.possible == 0 and ex.passed:
                continue
            tests.append(
                {
                    "name": ex.exercise,
                    "status": "pass"
                    if ex.passed
                    else ("error" if item.status == BROKEN else "fail"),
                    "score": ex.earned,
                    "message": ex.message,
                    "test_code": f"check({ex.exercise!r})",
                    "filename": Path(item.path).name,
                    "line_no": 0,
                    "execution_time": "",
                }
            )
    if any(s.status == BROKEN for s in scores) or not scores:
        status = "error"
    else:
        status = "pass" if all(t["status"] == "pass" for t in tests) else "fail"
    return {
        "version": 1,
        "status": status,
        "max_score": tidy(sum(s.possible for s in scores)),
        "tests": tests,
    }


def write_classroom(path, scores: list[SubmissionScore]) -> None:
    _target(path).write_text(json.dumps(classroom_results(scores)) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------
# Feedback for learners
# --------------------------------------------------------------------------


def feedback_markdown(item: SubmissionScore) -> str:
    """A report to hand back: each exercise's verdict, points and message."""
    who = item.learner or Path(item.path).stem
    lesson = f", lesson {item.lesson}" if item.lesson else ""
    lines = [
        f"# Feedback for {who}{lesson}",
        "",
        f"Notebook: `{Path(item.path).name}`  ",
        f"Points: **{format_points(item.earned)} of {format_points(item.possible)}** "
        f"({item.percentage:g}%)",
        "",
    ]
    if item.message:
        lines += [f"> {item.message}", ""]
    if item.exercises:
        lines += ["| Exercise | Verdict | Points |", "|---|---|---|"]
        for ex in item.exercises:
            symbol = _SYMBOL.get(ex.status, "❌")
            lines.append(
                f"| `{ex.exercise}` | {symbol} {ex.status} | "
                f"{format_points(ex.earned)} / {format_points(ex.possible)} |"
            )
        lines.append("")
        for ex in item.exercises:
            lines += [f"## `{ex.exercise}`: {ex.status}", "", ex.message or "(no message)", ""]
    return "\n".join(lines)


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("._") or "submission"


def feedback_names(scores: list[SubmissionScore]) -> list[str]:
    """One file name per submission: ``<learner>.md``, with the notebook's name added
    where a learner has several notebooks."""
    bases = [_safe(s.learner or Path(s.path).stem) for s in scores]
    names = []
    for item, base in zip(scores, bases):
        name = base if bases.count(base) == 1 else f"{base}_{_safe(Path(item.path).stem)}"
        while name in names:
            name += "_"
        names.append(name)
    return [f"{n}.md" for n in names]


def write_feedback(folder, scores: list[SubmissionScore]) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for item, name in zip(scores, feedback_names(scores)):
        path = folder / name
        path.write_text(feedback_markdown(item), encoding="utf-8")
        written.append(path)
    return written
