"""The checks that follow the exercises.

In a notebook, after the cell where you write ``rnn_step``, run::

    check("rnn_step")

It prints one of three verdicts and never raises, whatever the exercise cell
holds:

- ``✅ rnn_step: passed.``
- ``❌ rnn_step: failed. The output matches tanh(x W_xh + h W_hh) without b_h:
  the bias seems missing.``
- ``⏳ rnn_step: not attempted. Replace the `raise NotImplementedError(...)`
  line with your code.``

In a notebook the check also fails a function that uses a name defined in a cell
the grader does not run (it runs only the set-up and exercise cells; see
:mod:`rnncourse.checks.cells`), so that the check cell and the grader agree.

``check(..., strict=True)`` raises ``AssertionError`` instead of printing a
failure, for use in tests.

The function is called on copies of the test cases (it may change them; the
reference is computed on the originals, see :mod:`rnncourse.checks.exercise`),
under a time limit per case, with what it prints captured: the first
lines are shown above the verdict.
"""

from __future__ import annotations

import sys

import numpy as np

from rnncourse.checks.cells import names_the_grader_lacks, outside_cells_message
from rnncourse.checks.core import (
    FAILED,
    NOT_ATTEMPTED,
    PASSED,
    Verdict,
    decode_observation,
    encode_observation,
)
from rnncourse.checks.exercise import (
    NOTEBOOK_SEED,
    Exercise,
    all_exercises,
    exercises_of_lesson,
    get_exercise,
    register,
)

__all__ = [
    "FAILED",
    "NOT_ATTEMPTED",
    "PASSED",
    "Exercise",
    "Verdict",
    "all_exercises",
    "check",
    "check_function",
    "exercises_of_lesson",
    "get_exercise",
    "register",
]

_MISSING = object()


def check_function(name: str, function, *, seed: int = NOTEBOOK_SEED) -> Verdict:
    """Check ``function`` as the answer to exercise ``name``; return the verdict."""
    try:
        exercise = get_exercise(name)
    except KeyError:
        known = ", ".join(sorted(all_exercises()))
        return Verdict(name, FAILED, f"there is no exercise called {name!r}; known: {known}.")
    if function is not None and not callable(function):
        return Verdict(
            name, FAILED, f"`{name}` should be a function, but it is a {type(function).__name__}."
        )
    cases = exercise.cases(np.random.default_rng(seed))
    observations = exercise.observe_all(function, cases)
    return exercise.verdict(cases, [_as_sent(obs) for obs in observations])


def _as_sent(obs):
    """The observation as the grader receives it from its child process.

    Encoding and decoding it here, as the grader does, means that the check
    cell judges exactly the data the grader would judge.
    """
    try:
        return decode_observation(encode_observation(obs))
    except (TypeError, ValueError):
        return obs


def check(name: str, function=_MISSING, *, strict: bool = False) -> Verdict | None:
    """Check the exercise ``name`` and print the verdict (see the module docstring).

    ``function`` defaults to the object called ``name`` in the caller's
    namespace (the notebook), so a check cell still runs when the exercise
    cell failed to define it. With ``strict=True`` a verdict other than
    "passed" raises ``AssertionError``; the verdict is returned either way
    (``None`` in a notebook, to keep the output to the printed line).
    """
    try:
        caller = sys._getframe(1).f_globals
        if function is _MISSING:
            function = caller.get(name)
        verdict = check_function(name, function)
        history = caller.get("In")  # IPython's input history: the cells run so far
        if verdict.status != NOT_ATTEMPTED and isinstance(history, list):
            try:
                missing = names_the_grader_lacks(function, name, history)
            except Exception:  # an analysis that fails leaves the verdict as it is
                missing = None
            if missing:
                verdict = Verdict(name, FAILED, outside_cells_message(missing), verdict.printed)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # the check itself must never break a notebook
        verdict = Verdict(name, FAILED, f"the check could not run ({type(exc).__name__}: {exc}).")
    if strict:
        if not verdict.passed:
            raise AssertionError(str(verdict))
        return verdict
    if verdict.printed:
        print(verdict.printed)
    print(verdict)
    return None
