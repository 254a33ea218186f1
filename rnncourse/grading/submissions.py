"""A class's submissions: who each notebook belongs to, and grading them all.

The learner of a notebook (the row's id in the gradebook, the name of the
feedback file) follows one rule:

1. a notebook inside a sub-folder of a folder you named belongs to that
   sub-folder: ``submissions/alice/01_sequences_and_the_recurrent_cell.ipynb``
   is ``alice`` (and so is ``submissions/alice/week1/work.ipynb``; this fits
   nbgrader's ``submitted/<learner>/...`` and the per-learner folders that
   Moodle and GitHub Classroom downloads make);
2. any other notebook (named directly, or lying directly in a folder you
   named) is its file name without ``.ipynb`` and without the lesson's own file
   name, separators trimmed: ``alice_01_sequences_and_the_recurrent_cell.ipynb``
   and ``01_sequences_and_the_recurrent_cell-alice.ipynb`` are ``alice``;
   a name that holds nothing else (an unrenamed lesson) is kept whole.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rnncourse.grading.grader import BROKEN, NotebookResult, find_notebooks, grade_notebook
from rnncourse.notebooks import LESSON_FROM_FILENAME

#: the lessons' file names (without ``.ipynb``); a test keeps them equal to ``lessons/``
LESSON_FILES = {
    "01": "01_sequences_and_the_recurrent_cell",
    "02": "02_backpropagation_through_time",
    "03": "03_vanishing_and_exploding_gradients",
    "04": "04_lstm_and_gru",
    "05": "05_bidirectional_and_stacked_rnns",
    "06": "06_padding_and_masking",
    "07": "07_sequence_to_sequence",
    "08": "08_attention",
    "09": "09_language_modelling",
    "10": "10_forecasting",
    "11": "11_recurrence_today",
}
_SEPARATORS = "_- .,"


def learner_from_name(stem: str) -> str:
    """Rule 2: the file name without the lesson's own name."""
    lowered = stem.lower()
    for lesson_file in sorted(LESSON_FILES.values(), key=len, reverse=True):
        at = lowered.find(lesson_file)
        if at >= 0:
            rest = (stem[:at].strip(_SEPARATORS), stem[at + len(lesson_file) :].strip(_SEPARATORS))
            left = "_".join(part for part in rest if part)
            return left or stem
    return stem


def lesson_from_name(name: str) -> str | None:
    """The lesson a file name points to: the lesson's file name in it, or a leading
    number (``01_...``); ``None`` if neither."""
    lowered = name.lower()
    for lesson, lesson_file in LESSON_FILES.items():
        if lesson_file in lowered:
            return lesson
    match = LESSON_FROM_FILENAME.match(name)
    return match.group(1) if match else None


def learner_of(root: Path, notebook: Path) -> str:
    """The learner a notebook found under ``root`` (a folder or the notebook) belongs to."""
    if root.is_dir():
        try:
            parts = notebook.relative_to(root).parts
        except ValueError:
            parts = ()
        if len(parts) > 1:
            return parts[0]
    return learner_from_name(notebook.stem)


def find_submissions(paths) -> list[tuple[Path, str]]:
    """``(notebook, learner)`` for every notebook under ``paths``, in the grader's order."""
    found = []
    for root in map(Path, paths):
        for notebook in find_notebooks([root]):
            found.append((notebook, learner_of(root, notebook)))
    return found


def grade_safely(path: Path, seed: int | None = None) -> NotebookResult:
    """``grade_notebook``, and a broken result (never an exception) if the grader itself fails."""
    started = time.monotonic()
    try:
        return grade_notebook(path, seed=seed)
    except Exception as exc:  # a row with the reason, never a missing row
        return NotebookResult(
            str(path),
            lesson_from_name(Path(path).name),
            BROKEN,
            f"the grader could not grade this notebook ({type(exc).__name__}: {exc}).",
            seconds=time.monotonic() - started,
        )


def grade_submissions(
    submissions, *, jobs: int | None = None, seed: int | None = None
) -> list[NotebookResult]:
    """Grade ``(notebook, learner)`` pairs ``jobs`` at a time; results in the same order."""
    jobs = jobs or min(4, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(lambda item: grade_safely(item[0], seed), submissions))
