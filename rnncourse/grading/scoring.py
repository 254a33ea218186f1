"""Points: what each exercise is worth, and what a graded notebook earned.

Points are **all or nothing** per exercise: a passed exercise earns its
points, a failed or not attempted one earns none. There is no credit for the
fraction of test cases passed, for three reasons. The verdict stops at the
first case that fails (the later cases would only repeat the message), so the
fraction is not measured; the cases are not equal steps of difficulty but one
random draw of the task that together covers every edge case the text names,
so "two of three cases" would say which case a mistake happened to show on
rather than how much of the exercise is right; and the failure message already
names the mistake, which is the feedback a learner can act on. Split a large
exercise into smaller ones if you want finer credit.

An exercise's points come from its check class (``points``, default 1),
overridden by the course file ``grading.toml``, which an instructor edits::

    [assignment]
    lessons = ["01"]                     # optional: the lessons of this assignment
    drop = ["simple_rnn_param_count"]    # optional: exercises that do not count

    [points]
    rnn_step = 2
    rnn_forward = 3

    [gradescope]
    visibility = "visible"               # or "hidden", "after_due_date", "after_published"

A dropped exercise still runs (the notebook's cells run in order) but is left
out of every table, report and export, and is worth nothing. Which file is
read: ``--config PATH`` when given, otherwise ``grading.toml`` in the current
folder if there is one, otherwise the class defaults.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from rnncourse.checks.core import FAILED, PASSED
from rnncourse.checks.exercise import all_exercises, exercises_of_lesson
from rnncourse.grading.grader import BROKEN, NotebookResult
from rnncourse.grading.submissions import lesson_from_name

CONFIG_NAME = "grading.toml"
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")


class ConfigError(ValueError):
    """The course file is not one the grader can use (the message says why)."""


@dataclass(frozen=True)
class GradingConfig:
    """Points per exercise, exercises dropped, the assignment's lessons."""

    points: dict[str, float] = field(default_factory=dict)
    drop: frozenset[str] = frozenset()
    lessons: tuple[str, ...] = ()
    visibility: str = "visible"
    source: str | None = None

    def points_for(self, exercise: str) -> float:
        if exercise in self.drop:
            return 0
        if exercise in self.points:
            return self.points[exercise]
        known = all_exercises()
        return known[exercise].points if exercise in known else 0

    def counts(self, exercise: str) -> bool:
        return exercise in all_exercises() and exercise not in self.drop

    def in_assignment(self, lesson: str | None) -> bool:
        return not self.lessons or lesson in self.lessons

    def exercises_of(self, lesson: str | None) -> list[str]:
        """The exercises that count for a notebook of ``lesson``, in the lesson's order.

        A notebook whose lesson is unknown (unreadable) is held to the whole
        assignment when its lessons are set, and to nothing otherwise.
        """
        if lesson is None:
            lessons = self.lessons
        elif self.in_assignment(lesson):
            lessons = (lesson,)
        else:
            lessons = ()
        return [n for ls in lessons for n in exercises_of_lesson(ls) if n not in self.drop]

    def columns(self, lessons) -> list[str]:
        """Gradebook columns: the assignment's exercises, lesson by lesson."""
        chosen = self.lessons or tuple(sorted({ls for ls in lessons if ls}))
        return [n for ls in chosen for n in exercises_of_lesson(ls) if n not in self.drop]


def _number(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{where} must be a number, got {value!r}")
    if value < 0:
        raise ConfigError(f"{where} must not be negative, got {value!r}")
    return value


def parse_config(data: dict, source: str | None = None) -> GradingConfig:
    """Check a parsed ``grading.toml`` and turn it into a :class:`GradingConfig`."""
    where = source or CONFIG_NAME
    known = all_exercises()
    unknown_tables = set(data) - {"assignment", "points", "gradescope"}
    if unknown_tables:
        raise ConfigError(
            f"{where}: unknown section(s) {sorted(unknown_tables)}; "
            "expected [assignment], [points], [gradescope]"
        )
    assignment = data.get("assignment", {})
    points = data.get("points", {})
    gradescope = data.get("gradescope", {})
    for name, table in (("assignment", assignment), ("points", points), ("gradescope", gradescope)):
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: [{name}] must be a table")
    extra = set(assignment) - {"lessons", "drop"}
    if extra:
        raise ConfigError(f"{where}: unknown key(s) in [assignment]: {sorted(extra)}")
    extra = set(gradescope) - {"visibility"}
    if extra:
        raise ConfigError(f"{where}: unknown key(s) in [gradescope]: {sorted(extra)}")

    lessons = assignment.get("lessons", [])
    all_lessons = sorted({ex.lesson for ex in known.values()})
    if not isinstance(lessons, list) or not all(isinstance(ls, str) for ls in lessons):
        raise ConfigError(f'{where}: assignment.lessons must be a list of strings like "01"')
    for lesson in lessons:
        if lesson not in all_lessons:
            raise ConfigError(f"{where}: there is no lesson {lesson!r}; known: {all_lessons}")
    drop = assignment.get("drop", [])
    if not isinstance(drop, list) or not all(isinstance(n, str) for n in drop):
        raise ConfigError(f"{where}: assignment.drop must be a list of exercise names")
    for name in [*drop, *points]:
        if name not in known:
            raise ConfigError(
                f"{where}: there is no exercise called {name!r}; known: {', '.join(sorted(known))}"
            )
    checked = {name: _number(value, f"{where}: points.{name}") for name, value in points.items()}
    visibility = gradescope.get("visibility", "visible")
    if visibility not in VISIBILITIES:
        raise ConfigError(f"{where}: gradescope.visibility must be one of {VISIBILITIES}")
    return GradingConfig(checked, frozenset(drop), tuple(lessons), visibility, source)


def load_config(
    path: str | Path | None = None, *, folder: str | Path | None = None
) -> GradingConfig:
    """The course file: ``path`` if given, else ``grading.toml`` in ``folder`` (the
    current folder by default) if it exists, else the class defaults."""
    if path is None:
        candidate = Path(folder or ".") / CONFIG_NAME
        if not candidate.is_file():
            return GradingConfig()
        path = candidate
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    return parse_config(data, str(path))


# --------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------


@dataclass
class ExerciseScore:
    """One exercise of one submission: its verdict and its points."""

    exercise: str
    status: str
    message: str
    earned: float
    possible: float

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def to_dict(self) -> dict:
        return {
            "exercise": self.exercise,
            "status": self.status,
            "message": self.message,
            "points": self.earned,
            "max_points": self.possible,
        }


@dataclass
class SubmissionScore:
    """One graded notebook with points: what every export formats."""

    learner: str
    result: NotebookResult
    exercises: list[ExerciseScore]
    message: str = ""
    #: the notebook's lesson; for a notebook that could not be read, the one its file
    #: name points to, or the assignment's when it has only one
    lesson: str | None = None

    @property
    def path(self) -> str:
        return self.result.path

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def earned(self) -> float:
        return tidy(sum(e.earned for e in self.exercises))

    @property
    def possible(self) -> float:
        return tidy(sum(e.possible for e in self.exercises))

    @property
    def percentage(self) -> float:
        return round(100.0 * self.earned / self.possible, 2) if self.possible else 0.0

    @property
    def passed(self) -> bool:
        counted = [e for e in self.exercises if e.possible > 0 or e.status != PASSED]
        return self.status != BROKEN and bool(counted) and all(e.passed for e in counted)

    def by_exercise(self) -> dict[str, ExerciseScore]:
        return {e.exercise: e for e in self.exercises}

    def to_dict(self) -> dict:
        data = self.result.to_dict()
        data.update(
            learner=self.learner,
            lesson=self.lesson,
            passed=self.passed,
            message=self.message,
            points=self.earned,
            max_points=self.possible,
            percentage=self.percentage,
            exercises=[e.to_dict() for e in self.exercises],
        )
        return data


def tidy(value: float) -> float:
    """Sums of points without float noise (0.1 + 0.2 shows as 0.3); whole numbers as int."""
    value = round(value, 6)
    return int(value) if float(value).is_integer() else value


def format_points(value: float) -> str:
    return f"{tidy(value):g}"


def score(
    result: NotebookResult,
    config: GradingConfig,
    learner: str = "",
    class_lessons: tuple[str, ...] = (),
) -> SubmissionScore:
    """Points for one graded notebook (the verdicts are taken as the grader decided them).

    A notebook whose lesson is unknown (it could not be read) is held to the lesson its
    file name points to, else to the assignment's lessons (``config.lessons``, else
    ``class_lessons``: those of the other notebooks graded with it) if there is one.
    """
    lesson = result.lesson or lesson_from_name(Path(result.path).name)
    if lesson is None:
        lessons = config.lessons or tuple(class_lessons)
        lesson = lessons[0] if len(lessons) == 1 else None
    expected = config.exercises_of(lesson)
    verdicts = {v.exercise: v for v in result.verdicts}
    broken = result.status == BROKEN
    scores = []
    for name in expected:
        possible = config.points_for(name)
        verdict = verdicts.get(name)
        if verdict is None:
            reason = result.message or "this exercise was not graded."
            scores.append(ExerciseScore(name, FAILED, reason, 0, possible))
            continue
        earned = possible if verdict.passed and not broken else 0
        scores.append(ExerciseScore(name, verdict.status, verdict.message, earned, possible))
    # what the notebook held besides the assignment (an unknown exercise, another lesson's):
    # shown, worth nothing
    for verdict in result.verdicts:
        if verdict.exercise not in expected and verdict.exercise not in config.drop:
            scores.append(ExerciseScore(verdict.exercise, verdict.status, verdict.message, 0, 0))
    message = result.message
    if lesson is not None and not config.in_assignment(lesson):
        message = (
            f"lesson {lesson} is not part of this assignment "
            f"(lessons {', '.join(config.lessons)}); it earns no points."
        )
    elif not expected and not message:
        message = "no exercise of this notebook counts for the assignment."
    return SubmissionScore(learner, result, scores, message, lesson)
