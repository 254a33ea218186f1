"""The grader: ``rnncourse grade PATH...`` and its Python API."""

from rnncourse.grading.grader import (
    BROKEN,
    GRADED,
    NotebookResult,
    find_notebooks,
    grade_notebook,
    grade_paths,
    summary,
)
from rnncourse.grading.report import format_table, report_json

__all__ = [
    "BROKEN",
    "GRADED",
    "NotebookResult",
    "find_notebooks",
    "format_table",
    "grade_notebook",
    "grade_paths",
    "report_json",
    "summary",
]
