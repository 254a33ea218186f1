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

and may say:

- ``input_names``: the names of the case's positions, as the learner's
  function calls its parameters (for messages; unnamed positions are called
  "argument 1", "argument 2", ...);
- ``read_only_inputs``: the inputs the lesson tells the learner not to modify.

The learner's function always works on a deep copy of each case (``run``
gets the copy); ``judge`` gets the untouched original. After each call the
copy is compared with the original, and the inputs that changed are recorded
in the observation (``extra["modified"]``, their names). A changed read-only
input fails the exercise ("your function modified `dh_all` in place ...");
other changes are allowed, and only the returned values are judged.
"""

from __future__ import annotations

import copy
import importlib
import pkgutil
import sys
from collections.abc import Callable

import numpy as np

from rnncourse.checks.core import (
    FAILED,
    NOT_ATTEMPTED,
    PASSED,
    CappedOutput,
    Failure,
    NotYetAttempted,
    Observation,
    Verdict,
    capture_output,
    failure_for_observation,
    input_name,
    modified_message,
    observe,
    same_data,
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

    #: names of the case's positions, as the learner's function calls them
    input_names: tuple[str, ...] = ()
    #: names (from ``input_names``) of the inputs the learner must not modify
    read_only_inputs: tuple[str, ...] = ()

    def cases(self, rng: np.random.Generator) -> list[tuple]:
        raise NotImplementedError

    def run(self, function: Callable, case: tuple):
        return function(*case)

    def judge(self, case: tuple, value) -> None:
        raise NotImplementedError

    # The two halves, as the notebook check and the grader call them ---------

    def observe_all(self, function, cases: list[tuple]) -> list[Observation]:
        """Run the learner's function on every case (learner's process).

        Each call gets a deep copy of its case; the inputs it changed are
        recorded in ``extra["modified"]``. What the function prints goes into
        a :class:`~rnncourse.checks.core.CappedOutput`: the first case's
        observation holds the first lines (``extra["printed"]``), every
        observation the number of lines its call printed
        (``extra["printed_lines"]``). Stops after the first case that does not
        return a value: later cases would fail the same way and only cost time.
        """
        if function is None:
            return [Observation("missing")]
        screen = sys.stdout

        def notice(message: str) -> None:
            try:
                print(f"⚠️ {self.name}: {message}", file=screen, flush=True)
            except Exception:
                pass

        observations = []
        sink = CappedOutput()
        for case in cases:
            try:
                given = copy.deepcopy(case)
            except Exception:  # an input that cannot be copied: nothing to compare with
                given = None
            before = sink.lines
            with capture_output(sink):
                obs = observe(
                    lambda given=given, case=case: self.run(
                        function, case if given is None else given
                    ),
                    self.time_limit,
                    notice,
                )
            obs.extra["printed_lines"] = sink.lines - before
            if given is not None:
                modified = self.modified_inputs(case, given)
                if modified:
                    obs.extra["modified"] = modified
            observations.append(obs)
            if obs.kind != "value":
                break
        if sink.lines and observations:
            observations[0].extra["printed"] = sink.shown()
        return observations

    def modified_inputs(self, original: tuple, given: tuple) -> list[str]:
        """The names of the inputs of ``original`` that differ in ``given``."""
        if not isinstance(original, (tuple, list)) or not isinstance(given, (tuple, list)):
            return [] if same_data(original, given) else [input_name((), 0)]
        if len(original) != len(given):
            return ["the case"]
        return [
            input_name(self.input_names, i)
            for i, (a, b) in enumerate(zip(original, given))
            if not same_data(a, b)
        ]

    def verdict(self, cases: list[tuple], observations: list[Observation]) -> Verdict:
        """Judge the observations (checker's process); never raises."""
        if not observations:
            return Verdict(self.name, FAILED, "no result came back from your code.")
        printed = observations[0].extra.get("printed", "")
        printed = printed if isinstance(printed, str) else ""
        verdict = self._verdict(cases, observations)
        return Verdict(verdict.exercise, verdict.status, verdict.message, printed=printed)

    def _verdict(self, cases: list[tuple], observations: list[Observation]) -> Verdict:
        for case, obs in zip(cases, observations):
            early = failure_for_observation(obs, self.name)
            if early is not None:
                return early
            modified = obs.extra.get("modified", [])
            for name in self.read_only_inputs:
                if isinstance(modified, list) and name in modified:
                    position = list(self.input_names).index(name)
                    original = case[position] if position < len(case) else None
                    return Verdict(self.name, FAILED, modified_message(name, original))
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
    unnamed = [n for n in instance.read_only_inputs if n not in instance.input_names]
    if unnamed:
        raise ValueError(f"{cls.__name__}: read_only_inputs {unnamed} are not in input_names")
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
