"""The check cell fails an answer that takes names from cells the grader does not run."""

from __future__ import annotations

import numpy as np

from rnncourse.checks import check
from rnncourse.checks.cells import bound_names, global_loads, names_the_grader_lacks
from rnncourse.checks.core import STUB_MESSAGE

SETUP = (
    "# SETUP: the grader runs this cell\nimport numpy as np\nfrom rnncourse import data\nSEED = 1\n"
)
RIGHT = '''# EXERCISE: rnn_step
def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(x_t @ W_xh + h_prev @ W_hh + b_h)
'''
USES_TF = '''# EXERCISE: rnn_step
def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):
    return tf.tanh(x_t @ W_xh + h_prev @ W_hh + b_h).numpy()
'''


def test_bound_names_covers_the_ways_a_cell_binds():
    source = (
        "import os.path\nimport numpy as np\nfrom math import tau as t\nx, (y, z) = 1, (2, 3)\n"
        "def f(): global g\nclass C: pass\nfor i in range(2): pass\nwith open('f') as fh: pass\n"
        "try:\n    pass\nexcept Exception as err:\n    pass\n[k for k in ()]\n"
    )
    assert {"os", "np", "t", "x", "y", "z", "f", "g", "C", "i", "fh", "err", "k"} <= bound_names(
        source)
    assert bound_names("%timeit x = 1\n!ls") == set()  # magics: not Python, nothing bound


def test_global_loads_looks_inside_nested_code():
    def outer(a):
        def inner():
            return tf.constant(a)  # noqa: F821 (the point of the test)

        return [np.sum(b) for b in a] + [inner, (lambda: helper())]  # noqa: F821

    assert {"tf", "np", "helper"} <= global_loads(outer.__code__)
    assert "a" not in global_loads(outer.__code__) and "sum" not in global_loads(outer.__code__)


def _run_check(cells: list[str], extra: dict | None = None):
    """Run ``cells`` as a notebook would, then the check cell, with ``In`` as IPython keeps it."""
    namespace = {"In": [""], **(extra or {})}
    for source in cells:
        namespace["In"].append(source)
        exec(compile(source, "<cell>", "exec"), namespace)
    namespace["In"].append("check('rnn_step', strict=True)")
    namespace["check"] = check
    try:
        exec("verdict = check('rnn_step', strict=True)", namespace)
    except AssertionError as failure:
        return str(failure)
    return str(namespace["verdict"])


def test_an_answer_that_needs_a_later_cell_fails_with_a_message_naming_it():
    import tensorflow as tf

    later = "import tensorflow as tf\n"  # e.g. imported further down the lesson
    message = _run_check([SETUP, later, USES_TF])
    assert "`tf`" in message and "the grader runs only the set-up cell" in message
    imports_it = USES_TF.replace("def rnn_step", "import tensorflow as tf\ndef rnn_step")
    assert "passed" in _run_check([SETUP, imports_it])
    # a helper defined in a scratch cell is not seen by the grader either
    scratch = "def my_tanh(v):\n    return np.tanh(v)\n"
    uses_helper = RIGHT.replace("np.tanh(", "my_tanh(")
    assert "`my_tanh`" in _run_check([SETUP, scratch, uses_helper])
    assert tf is not None


def test_right_answers_and_runs_outside_ipython_are_unaffected():
    assert "passed" in _run_check([SETUP, RIGHT])
    # no input history (a script, a test): nothing to compare with, the verdict stands
    namespace = {"np": np}
    exec(RIGHT, namespace)
    assert names_the_grader_lacks(namespace["rnn_step"], "rnn_step", ["x = 1"]) is None
    # a scratch notebook without a set-up cell is not one the grader grades: left alone
    assert names_the_grader_lacks(namespace["rnn_step"], "rnn_step", ["", RIGHT]) is None


def test_a_stub_stays_not_attempted():
    stub = ("# EXERCISE: rnn_step\ndef rnn_step(x_t, h_prev, W_xh, W_hh, b_h):\n"
            f"    raise NotImplementedError({STUB_MESSAGE!r})\n")
    assert "not attempted" in _run_check([SETUP, stub])


def test_an_analysis_that_fails_leaves_the_verdict_alone(monkeypatch):
    import rnncourse.checks as checks

    def broken(*args):
        raise RuntimeError("analysis failed")

    monkeypatch.setattr(checks, "names_the_grader_lacks", broken)
    assert "passed" in _run_check([SETUP, RIGHT])
