"""The corpus of learner answers, and the two ways a verdict is reached.

Each ``tests/corpus/lessonNN.py`` is plain Python that defines::

    RIGHT = {"exercise_name": [fn_a, fn_b, fn_c, ...]}    # right answers, written differently
    WRONG = {"exercise_name": [(fn, "substring of the expected failure message"), ...]}
    SEEDS = {"exercise_name": 3}   # optional: random seeds for slow exercises (default 50)

The functions are module-level functions with the learner's signature.
``tests/test_learner_corpus.py`` runs every one of them on the notebook's seed
and on the random seeds of :func:`seeds`, in two ways:

- :func:`check_cell_verdict`: as the check cell does (``check_function``);
- :func:`grader_verdict`: as ``rnncourse grade`` does. The cases are drawn in
  the grader's process, encoded and sent as JSON to the child process, decoded
  there, the learner's function observed on the child's copy, the observations
  encoded and sent back as JSON, decoded, and judged in the grader's process
  on the pristine cases. Here the process boundary is the JSON text, in one
  process: the data path is the same, only the pipe is missing.
  :func:`child_process_verdicts` goes through a real child process
  (``python -m rnncourse.grading.runner``, as the grader starts it).

The problems found are returned as sentences; an empty list means the answer
got the verdict it should, the same on every draw and in both ways.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from pathlib import Path
from types import ModuleType

import numpy as np

from rnncourse.checks import check_function
from rnncourse.checks.core import (
    FAILED,
    PASSED,
    Verdict,
    decode,
    decode_observation,
    encode,
    encode_observation,
)
from rnncourse.checks.exercise import NOTEBOOK_SEED, all_exercises

#: random seeds per exercise, unless a corpus module's SEEDS says otherwise
DEFAULT_SEEDS = 50
#: the fixed list the random seeds are taken from (the same in every run, so CI is reproducible)
SEED_LIST = [int(s) for s in np.random.default_rng(20261129).integers(0, 2**32, size=500)]
#: right and wrong answers every exercise needs, at least
MIN_RIGHT = 3
MIN_WRONG = 1

TESTS_DIR = Path(__file__).resolve().parents[1]


def corpus_modules() -> dict[str, ModuleType]:
    """Every ``tests/corpus/lessonNN.py``, imported, by module name ("lesson01", ...)."""
    modules = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("lesson"):
            modules[info.name] = importlib.import_module(f"{__name__}.{info.name}")
    return modules


def seeds(module: ModuleType, name: str) -> list[int]:
    """The notebook's seed, then the module's number of random seeds for ``name`` (default 50)."""
    count = int(getattr(module, "SEEDS", {}).get(name, DEFAULT_SEEDS))
    return [NOTEBOOK_SEED, *SEED_LIST[:count]]


def label(function) -> str:
    return getattr(function, "__qualname__", repr(function))


# --------------------------------------------------------------------------- the two ways


def check_cell_verdict(name: str, function, seed: int) -> Verdict:
    """The verdict the check cell gives (``check_function``, cases drawn from ``seed``)."""
    return check_function(name, function, seed=seed)


def grader_verdict(name: str, function, seed: int) -> Verdict:
    """The verdict ``rnncourse grade`` gives on the cases drawn from ``seed``.

    The same steps as :func:`rnncourse.grading.grader.grade_notebook` and
    :mod:`rnncourse.grading.runner`, with the pipe between them replaced by
    the JSON text that would go through it.
    """
    exercise = all_exercises()[name]
    cases = exercise.cases(np.random.default_rng(seed))  # grader's process
    sent = json.dumps([encode(tuple(case)) for case in cases])
    child_cases = [tuple(decode(case)) for case in json.loads(sent)]  # child's process
    observations = exercise.observe_all(function, child_cases)
    back = json.dumps([encode_observation(o) for o in observations])
    received = [decode_observation(o) for o in json.loads(back)]  # grader's process
    if received and received[0].kind == "missing":
        return Verdict(name, FAILED, f"the exercise cell ran but does not define `{name}`.")
    return exercise.verdict(cases, received)


def child_process_verdicts(answers: dict, seed: int) -> dict[str, Verdict]:
    """Grade ``{exercise: function}`` through a real child process, as the grader does.

    Each function must be a module-level function of a ``tests/corpus``
    module: the child imports it from there as its exercise cell.
    """
    from rnncourse.grading import grader

    exercises = all_exercises()
    rng_cases = {n: exercises[n].cases(np.random.default_rng(seed)) for n in answers}
    job = {
        "setup": ["import numpy as np"],
        "cell_time_limit": grader.CELL_SECONDS,
        "exercises": [
            {
                "name": n,
                "source": (
                    f"import sys\nsys.path.insert(0, {str(TESTS_DIR)!r})\n"
                    f"from {fn.__module__} import {fn.__name__} as {n}\n"
                ),
                "cases": [encode(tuple(case)) for case in rng_cases[n]],
            }
            for n, fn in answers.items()
        ],
    }
    limits = {"setup": grader.SETUP_SECONDS}
    for n in answers:
        limits[f"cell:{n}"] = grader.CELL_SECONDS
        limits[f"cases:{n}"] = exercises[n].time_limit * len(rng_cases[n])
    events, hung = grader._run_child(job, limits)
    verdicts: dict[str, Verdict] = {}
    grader._judge_events(events, rng_cases, exercises, verdicts)
    for n in answers:
        if n not in verdicts:
            verdicts[n] = Verdict(n, FAILED, f"no verdict came back (hung: {hung}).")
    return verdicts


# --------------------------------------------------------------------------- judging an answer


def _both_ways(name: str, function, seed_list: list[int]):
    for seed in seed_list:
        yield seed, check_cell_verdict(name, function, seed), grader_verdict(name, function, seed)


def problems_with_right(name: str, function, seed_list: list[int]) -> list[str]:
    """What is wrong with the verdicts on a right answer (nothing: an empty list)."""
    problems = []
    for seed, inline, graded in _both_ways(name, function, seed_list):
        for way, verdict in (("check cell", inline), ("grader", graded)):
            if verdict.status != PASSED:
                problems.append(
                    f"{name}: right answer {label(function)} {verdict.status} in the {way} "
                    f"on seed {seed}: {verdict.message}"
                )
        if (inline.status, inline.message) != (graded.status, graded.message):
            problems.append(_differ(name, function, seed, inline, graded))
        if problems:
            break  # one seed's report is enough to go on
    return problems


def problems_with_wrong(name: str, function, substring: str, seed_list: list[int]) -> list[str]:
    """What is wrong with the verdicts on a wrong answer (nothing: an empty list)."""
    problems = []
    statuses = set()
    for seed, inline, graded in _both_ways(name, function, seed_list):
        for way, verdict in (("check cell", inline), ("grader", graded)):
            statuses.add(verdict.status)
            if verdict.status == PASSED:
                problems.append(
                    f"{name}: wrong answer {label(function)} passed in the {way} on seed {seed}"
                )
            elif substring not in verdict.message:
                problems.append(
                    f"{name}: wrong answer {label(function)} in the {way} on seed {seed}: "
                    f"the message lacks {substring!r}: {verdict.status}: {verdict.message}"
                )
        if (inline.status, inline.message) != (graded.status, graded.message):
            problems.append(_differ(name, function, seed, inline, graded))
        if problems:
            break
    if len(statuses) > 1 and not problems:
        problems.append(f"{name}: wrong answer {label(function)} got verdicts {sorted(statuses)}")
    return problems


def _differ(name, function, seed, inline: Verdict, graded: Verdict) -> str:
    return (
        f"{name}: {label(function)} on seed {seed}: the check cell says "
        f"{inline.status}: {inline.message!r}; the grader says {graded.status}: {graded.message!r}"
    )
