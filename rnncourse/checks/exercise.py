"""What an exercise is to the checks: cases, how to run them, how to judge them.

Each graded exercise in a lesson is one subclass of :class:`Exercise`,
registered with :func:`register`, in the lesson's module
(``rnncourse/checks/lesson01.py`` and so on). A subclass says:

- ``name``: the name of the function the learner writes in the notebook;
- ``cases(rng)``: a few inputs, drawn from ``rng`` (the grader draws a fresh
  seed every time, so answers cannot be hard-coded);
- ``run(function, case)``: how to call the learner's function on a case (the
  default calls ``function(*case)``); runs in the learner's process;
- ``judge(case, value)``: raise :class:`~rnncourse.checks.core.Failure` with a
  message naming the likely mistake, or return to accept; runs in the
  checker's process and must not trust ``value`` to be of any type.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

import numpy as np

from rnncourse.checks.core import (
    FAILED,
    NOT_ATTEMPTED,
    PASSED,
    Failure,
    NotYetAttempted,
    Observation,
    Verdict,
    failure_for_observation,
    observe,
)

_REGISTRY: dict[str, Exercise] = {}

#: Seed for the cases a check cell uses in a notebook, so that the same wrong
#: answer gets the same message every time; the grader draws a random one.
NOTEBOOK_SEED = 20261121


class Exercise:
    """Base class of the exercise specifications (see the module docstring)."""

    name: str = ""
    lesson: str = ""
    #: seconds one case may run before it counts as an endless loop
    time_limit: float = 10.0
    #: points for a passed exercise, all or nothing (``grading.toml`` may override it;
    #: see ``rnncourse.grading.scoring``)
    points: float = 1

    def cases(self, rng: np.random.Generator) -> list[tuple]:
        raise NotImplementedError

    def run(self, function: Callable, case: tuple):
        return function(*case)

    def judge(self, case: tuple, value) -> None:
        raise NotImplementedError

    # The two halves, as the notebook check and the grader call them ---------

    def observe_all(self, function, cases: list[tuple]) -> list[Observation]:
        """Run the learner's function on every case (learner's process).

        Stops after the first case that does not return a value: later cases
        would fail the same way and only cost time.
        """
        if function is None:
            return [Observation("missing")]
        observations = []
        for case in cases:
            obs = observe(lambda case=case: self.run(function, case), self.time_limit)
            observations.append(obs)
            if obs.kind != "value":
                break
        return observations

    def verdict(self, cases: list[tuple], observations: list[Observation]) -> Verdict:
        """Judge the observations (checker's process); never raises."""
        if not observations:
            return Verdict(self.name, FAILED, "no result came back from your code.")
        for case, obs in zip(cases, observations):
            early = failure_for_observation(obs, self.name)
            if early is not None:
                return early
            try:
                self.judge(case, obs.value)
            except NotYetAttempted as exc:
                return Verdict(self.name, NOT_ATTEMPTED, str(exc))
            except Failure as exc:
                return Verdict(self.name, FAILED, str(exc))
            except Exception as exc:  # a judge must not crash on odd values
                return Verdict(
                    self.name,
                    FAILED,
                    f"the returned value could not be checked ({type(exc).__name__}: {exc}).",
                )
        if len(observations) < len(cases):
            return Verdict(self.name, FAILED, "not every case produced a result.")
        return Verdict(self.name, PASSED, f"all {len(cases)} test cases agree with the reference.")


def register(cls: type[Exercise]) -> type[Exercise]:
    """Class decorator: make an exercise known to ``check`` and to the grader."""
    instance = cls()
    if not instance.name or not instance.lesson:
        raise ValueError(f"{cls.__name__} needs a name and a lesson")
    if instance.name in _REGISTRY and type(_REGISTRY[instance.name]) is not cls:
        raise ValueError(f"two exercises are called {instance.name!r}")
    _REGISTRY[instance.name] = instance
    return cls


def _load_lessons() -> None:
    """Import every ``rnncourse/checks/lessonNN.py``: importing one registers its exercises."""
    import rnncourse.checks

    for module in sorted(pkgutil.iter_modules(rnncourse.checks.__path__), key=lambda m: m.name):
        if module.name.startswith("lesson"):
            importlib.import_module(f"rnncourse.checks.{module.name}")


def get_exercise(name: str) -> Exercise:
    """The registered exercise called ``name`` (``KeyError`` if unknown)."""
    _load_lessons()
    return _REGISTRY[name]


def all_exercises() -> dict[str, Exercise]:
    """Every registered exercise, by name."""
    _load_lessons()
    return dict(_REGISTRY)


def exercises_of_lesson(lesson: str) -> list[str]:
    """The names of the exercises of one lesson ("01", "02", ...), in order."""
    return [name for name, ex in all_exercises().items() if ex.lesson == lesson]
