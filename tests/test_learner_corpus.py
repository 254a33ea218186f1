"""The corpus of learner answers: right ones pass, wrong ones fail with their message.

For every exercise of every ``tests/corpus/lessonNN.py`` (see ``tests/corpus/__init__.py``),
each right and each wrong answer runs on the notebook's seed and on random seeds, the check
cell's way and the grader's way. A right answer rejected, a wrong answer accepted, a message
without its substring, or verdicts that differ between draws or between the two ways fail.
"""

from __future__ import annotations

import numpy as np
import pytest
from corpus import (
    MIN_RIGHT,
    MIN_WRONG,
    NOTEBOOK_SEED,
    check_cell_verdict,
    child_process_verdicts,
    corpus_modules,
    grader_verdict,
    label,
    problems_with_right,
    problems_with_wrong,
    seeds,
)

from rnncourse.checks import all_exercises
from rnncourse.checks.core import PASSED, compare_arrays
from rnncourse.checks.exercise import Exercise

CORPORA = corpus_modules()


def _corpus_tests(module: str) -> type:
    """The tests of one lesson's corpus, as a class: pytest-xdist's ``--dist loadscope``
    keeps a class on one worker, so that the lessons' corpora run in parallel."""
    corpus = CORPORA[module]
    right, wrong = getattr(corpus, "RIGHT", {}), getattr(corpus, "WRONG", {})

    class CorpusTests:
        @pytest.mark.parametrize("name", list(right))
        def test_right_answers_pass_everywhere(self, name):
            problems = []
            for function in right[name]:
                problems += problems_with_right(name, function, seeds(corpus, name))
            assert not problems, "\n".join(problems)

        @pytest.mark.parametrize("name", list(wrong))
        def test_wrong_answers_fail_with_their_message(self, name):
            problems = []
            for function, substring in wrong[name]:
                problems += problems_with_wrong(name, function, substring, seeds(corpus, name))
            assert not problems, "\n".join(problems)

        def test_a_real_child_process_gives_the_check_cells_verdicts(self):
            """The first right and the first wrong answer of each exercise, through the
            grader's child process."""
            for pick in (
                lambda n: (right.get(n) or [None])[0],
                lambda n: (wrong.get(n) or [(None, "")])[0][0],
            ):
                answers = {n: pick(n) for n in all_exercises() if pick(n) is not None}
                if not answers:
                    continue
                verdicts = child_process_verdicts(answers, NOTEBOOK_SEED)
                for name, function in answers.items():
                    inline = check_cell_verdict(name, function, NOTEBOOK_SEED)
                    assert (verdicts[name].status, verdicts[name].message) == (
                        inline.status,
                        inline.message,
                    ), (name, label(function), verdicts[name], inline)

    CorpusTests.__name__ = CorpusTests.__qualname__ = f"TestCorpus{module.capitalize()}"
    return CorpusTests


for _module in sorted(CORPORA):
    _tests = _corpus_tests(_module)
    globals()[_tests.__name__] = _tests


def test_every_exercise_has_enough_answers():
    """Every registered exercise: at least three right answers and one wrong answer."""
    right: dict[str, int] = {}
    wrong: dict[str, int] = {}
    for corpus in CORPORA.values():
        for name, functions in getattr(corpus, "RIGHT", {}).items():
            right[name] = right.get(name, 0) + len(functions)
        for name, entries in getattr(corpus, "WRONG", {}).items():
            wrong[name] = wrong.get(name, 0) + len(entries)
    short = [
        f"{name} ({right.get(name, 0)} right, {wrong.get(name, 0)} wrong)"
        for name in sorted(all_exercises())
        if right.get(name, 0) < MIN_RIGHT or wrong.get(name, 0) < MIN_WRONG
    ]
    assert not short, f"need >= {MIN_RIGHT} right and >= {MIN_WRONG} wrong: " + ", ".join(short)


def test_the_corpus_names_only_registered_exercises():
    known = set(all_exercises())
    for module, corpus in CORPORA.items():
        for table in ("RIGHT", "WRONG", "SEEDS"):
            unknown = set(getattr(corpus, table, {})) - known
            assert not unknown, f"{module}.{table} names unknown exercises: {sorted(unknown)}"
        for name, entries in getattr(corpus, "WRONG", {}).items():
            for entry in entries:
                assert isinstance(entry, tuple) and len(entry) == 2, (module, name, entry)
                assert callable(entry[0]) and isinstance(entry[1], str) and entry[1], entry


# --------------------------------------------------------------------------- the harness itself


class _Scale(Exercise):
    """A fake exercise: ``scale(x, factors) -> 2 * x``; ``x`` is read-only, ``factors`` is not."""

    name = "_harness_scale"
    lesson = "99"
    input_names = ("x", "factors")
    read_only_inputs = ("x",)
    time_limit = 2.0

    def cases(self, rng):
        return [(rng.normal(size=(3, 4)), [np.ones(2)]) for _ in range(3)]

    def judge(self, case, value):
        compare_arrays(value, 2 * case[0], [("you returned x unchanged", case[0])])


@pytest.fixture
def scale(monkeypatch):
    from rnncourse.checks import exercise as exercise_module

    exercise_module._load_lessons()
    monkeypatch.setitem(exercise_module._REGISTRY, _Scale.name, _Scale())
    return _Scale.name


def right_plain(x, factors):
    return 2 * x


def right_float32(x, factors):
    return 2 * x.astype(np.float32)


def right_changes_factors(x, factors):
    factors[0] *= 3  # allowed: not read-only
    factors.append(None)
    return x + x


def wrong_in_place(x, factors):
    x *= 2
    return x


def wrong_unchanged(x, factors):
    return x


_calls = {"n": 0}


def flaky(x, factors):
    """Right on three calls, wrong on the next three: one seed's two ways disagree."""
    _calls["n"] += 1
    return 2 * x if (_calls["n"] - 1) // 3 % 2 == 0 else 3 * x


def test_harness_accepts_right_answers_and_names_wrong_ones(scale):
    seed_list = [NOTEBOOK_SEED, 1, 2]
    for function in (right_plain, right_float32, right_changes_factors):
        assert problems_with_right(scale, function, seed_list) == []
    assert problems_with_wrong(scale, wrong_in_place, "modified `x` in place", seed_list) == []
    assert problems_with_wrong(scale, wrong_unchanged, "returned x unchanged", seed_list) == []
    # the grader's way judges on the pristine cases, as the check cell does
    assert grader_verdict(scale, wrong_in_place, 3).message == (
        check_cell_verdict(scale, wrong_in_place, 3).message
    )


def test_harness_reports_what_is_unfair(scale):
    seed_list = [NOTEBOOK_SEED, 1]
    rejected = problems_with_right(scale, wrong_unchanged, seed_list)
    assert rejected and "right answer wrong_unchanged failed in the check cell" in rejected[0]
    accepted = problems_with_wrong(scale, right_plain, "anything", seed_list)
    assert accepted and "wrong answer right_plain passed" in accepted[0]
    no_substring = problems_with_wrong(scale, wrong_unchanged, "no such words", seed_list)
    assert no_substring and "lacks 'no such words'" in no_substring[0]
    _calls["n"] = 0
    differ = problems_with_right(scale, flaky, seed_list)
    assert any(
        "the check cell says passed" in p and "the grader says failed" in p for p in differ
    ), differ


def test_harness_real_child_process_matches_the_check_cell():
    from corpus import _harness_answers as answers

    picks = {"rnn_step": answers.step_in_place, "simple_rnn_param_count": answers.count_raises}
    verdicts = child_process_verdicts(picks, NOTEBOOK_SEED)
    assert verdicts["rnn_step"].status == PASSED
    for name, function in picks.items():
        inline = check_cell_verdict(name, function, NOTEBOOK_SEED)
        assert (verdicts[name].status, verdicts[name].message) == (inline.status, inline.message)
    assert "line 31: return table[input_dim]" in verdicts["simple_rnn_param_count"].message
    wrong = child_process_verdicts({"rnn_step": answers.step_no_bias}, NOTEBOOK_SEED)
    assert "bias" in wrong["rnn_step"].message
