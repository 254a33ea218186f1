"""Grading as pytest tests: one test per exercise of every notebook graded.

    pytest tests/test_exercises.py                       # the solutions: all must pass
    pytest tests/test_exercises.py --notebooks lessons/  # your own work

Each notebook is graded once (by the same grader as `rnncourse grade`); each of
its exercises is then a test that passes only if the exercise passed.
"""

from __future__ import annotations

import functools
from pathlib import Path

from rnncourse.checks import exercises_of_lesson
from rnncourse.grading import find_notebooks, grade_notebook
from rnncourse.notebooks import NotebookError, graded_cells, lesson_of, read_notebook

ROOT = Path(__file__).resolve().parents[1]


def _targets(config) -> list[Path]:
    paths = config.getoption("notebooks") or [str(ROOT / "solutions")]
    return find_notebooks(paths)


def _exercise_ids(path: Path) -> list[str]:
    try:
        notebook = read_notebook(path)
    except NotebookError:
        return ["(notebook)"]
    lesson = lesson_of(notebook, path)
    names = exercises_of_lesson(lesson) if lesson else []
    return names or list(graded_cells(notebook).exercises) or ["(notebook)"]


def pytest_generate_tests(metafunc):
    if "notebook_exercise" in metafunc.fixturenames:
        pairs = [(p, name) for p in _targets(metafunc.config) for name in _exercise_ids(p)]
        metafunc.parametrize("notebook_exercise", pairs,
                             ids=[f"{p.name}::{name}" for p, name in pairs])


@functools.cache
def _graded(path: Path):
    return grade_notebook(path)


def test_exercise(notebook_exercise):
    path, name = notebook_exercise
    result = _graded(path)
    if name == "(notebook)":
        assert result.passed, f"{path.name}: {result.status}: {result.message}"
        return
    verdict = next((v for v in result.verdicts if v.exercise == name), None)
    assert verdict is not None, f"{path.name}: {name} was not graded ({result.message})"
    assert verdict.passed, str(verdict)
