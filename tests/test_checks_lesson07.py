"""Lesson 07's checks against right answers and the typical wrong ones.

Every wrong answer must fail with the message that names its mistake; the
right answer must pass; nothing a learner writes may make a check raise.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.checks import FAILED, NOT_ATTEMPTED, PASSED, check_function


def _stub(*args):
    raise NotImplementedError("write your code here")


def _start(targets, start_token):
    return np.full((targets.shape[0], 1), start_token)


DECODER_INPUT_ANSWERS = {
    "right": (lambda y, s: np.concatenate([_start(y, s), y[:, :-1]], axis=1), PASSED, "agree"),
    "not shifted": (lambda y, s: y, FAILED, "equals the targets"),
    "overwrote first": (
        lambda y, s: np.concatenate([_start(y, s), y[:, 1:]], axis=1),
        FAILED,
        "over the first target",
    ),
    "shifted left": (
        lambda y, s: np.concatenate([y[:, 1:], _start(y, s)], axis=1),
        FAILED,
        "shifted left",
    ),
    "roll left": (lambda y, s: np.roll(y, -1, axis=1), FAILED, "shifted left"),
    "roll right, no start": (lambda y, s: np.roll(y, 1, axis=1), FAILED, "start token is missing"),
    "zero instead of start": (
        lambda y, s: np.concatenate([np.zeros_like(_start(y, s)), y[:, :-1]], axis=1),
        FAILED,
        "start token is missing",
    ),
    "kept the last target": (
        lambda y, s: np.concatenate([_start(y, s), y], axis=1),
        FAILED,
        "drop the LAST",
    ),
    "start at the end": (
        lambda y, s: np.concatenate([y[:, :-1], _start(y, s)], axis=1),
        FAILED,
        "at the end",
    ),
    "float dtype": (
        lambda y, s: np.concatenate([_start(y, s), y[:, :-1]], axis=1).astype(float),
        FAILED,
        "integer array",
    ),
    "computed in float32, returned as integers": (
        lambda y, s: (
            np.concatenate([_start(y, s), y[:, :-1]], axis=1).astype(np.float32).astype(y.dtype)
        ),
        PASSED,
        "agree",
    ),
    "a string": (lambda y, s: "y", FAILED, "should be a NumPy array"),
    "no return": (lambda y, s: None, FAILED, "forget the `return`"),
}


@pytest.mark.parametrize("answer", DECODER_INPUT_ANSWERS)
def test_make_decoder_inputs(answer):
    function, status, words = DECODER_INPUT_ANSWERS[answer]
    verdict = check_function("make_decoder_inputs", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


def _schedule(linear=None, exponential=None, inverse_sigmoid=None):
    def right_linear(i, k, c, e):
        return np.maximum(e, k - c * i)

    def right_exponential(i, k, c, e):
        return np.power(k, i)

    def right_inverse_sigmoid(i, k, c, e):
        return k / (k + np.exp(i / k))

    formulas = {
        "linear": linear or right_linear,
        "exponential": exponential or right_exponential,
        "inverse_sigmoid": inverse_sigmoid or right_inverse_sigmoid,
    }

    def schedule(i, name, k, c, epsilon):
        with np.errstate(over="ignore"):
            return formulas[name](np.asarray(i, dtype=float), k, c, epsilon)

    return schedule


SCHEDULE_ANSWERS = {
    "right": (_schedule(), PASSED, "agree"),
    "exp(i)": (
        _schedule(inverse_sigmoid=lambda i, k, c, e: k / (k + np.exp(i))),
        FAILED,
        "exp(i) where the schedule has exp(i / k)",
    ),
    "sampling probability (inverse sigmoid)": (
        _schedule(inverse_sigmoid=lambda i, k, c, e: 1 - k / (k + np.exp(i / k))),
        FAILED,
        "probability of SAMPLING",
    ),
    "sign": (
        _schedule(inverse_sigmoid=lambda i, k, c, e: k / (k + np.exp(-i / k))),
        FAILED,
        "sign in the exponent",
    ),
    "numerator 1": (
        _schedule(inverse_sigmoid=lambda i, k, c, e: 1 / (k + np.exp(i / k))),
        FAILED,
        "numerator should be k",
    ),
    "denominator 1": (
        _schedule(inverse_sigmoid=lambda i, k, c, e: k / (1 + np.exp(i / k))),
        FAILED,
        "denominator should be k + exp",
    ),
    "sampling probability (exponential)": (
        _schedule(exponential=lambda i, k, c, e: 1 - k**i),
        FAILED,
        "probability of SAMPLING",
    ),
    "exp(-k i)": (_schedule(exponential=lambda i, k, c, e: np.exp(-k * i)), FAILED, "exp(-k i)"),
    "no floor": (
        _schedule(linear=lambda i, k, c, e: k - c * i),
        FAILED,
        "not clipped at the floor",
    ),
    "floor 0": (
        _schedule(linear=lambda i, k, c, e: np.maximum(0, k - c * i)),
        FAILED,
        "clipped at 0 instead of at epsilon",
    ),
    "min": (_schedule(linear=lambda i, k, c, e: np.minimum(e, k - c * i)), FAILED, "used min"),
    "sampling probability (linear)": (
        _schedule(linear=lambda i, k, c, e: 1 - np.maximum(e, k - c * i)),
        FAILED,
        "probability of SAMPLING",
    ),
    "starts at 1": (
        _schedule(linear=lambda i, k, c, e: np.maximum(e, 1 - c * i)),
        FAILED,
        "started at 1 instead of k",
    ),
    "scalar": (lambda i, name, k, c, epsilon: 0.5, FAILED, "shape"),
    "unknown name": (lambda i, name, k, c, epsilon: {"lin": 1}[name], FAILED, "KeyError"),
}


@pytest.mark.parametrize("answer", SCHEDULE_ANSWERS)
def test_teacher_forcing_schedule(answer):
    function, status, words = SCHEDULE_ANSWERS[answer]
    verdict = check_function("teacher_forcing_schedule", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


def _decoder(
    *,
    feed_back=True,
    pad=True,
    stop=True,
    keep_start=False,
    extra_steps=0,
    time_major=False,
    stop_any=False,
    drop_last=False,
    dtype=None,
):
    def decode(step, initial_states, start_token, end_token, max_length):
        states = list(initial_states)
        batch = np.shape(states[0])[0]
        tokens = np.full(batch, start_token)
        finished = np.zeros(batch, dtype=bool)
        outputs = [tokens] if keep_start else []
        for _ in range(max_length + extra_steps):
            fed = tokens if feed_back else np.full(batch, start_token)
            scores, states = step(fed, states)
            chosen = np.argmax(scores, axis=-1)
            tokens = np.where(finished, end_token, chosen) if pad else chosen
            finished = finished | (tokens == end_token)
            done = finished.any() if stop_any else finished.all()
            if drop_last and stop and done:
                break
            outputs.append(tokens)
            if stop and done:
                break
        result = np.stack(outputs, axis=0 if time_major else 1)
        return result if dtype is None else result.astype(dtype)

    return decode


GREEDY_ANSWERS = {
    "right": (_decoder(), PASSED, "agree"),
    "no feedback": (_decoder(feed_back=False), FAILED, "do not feed back the chosen token"),
    "never stops": (_decoder(pad=False, stop=False), FAILED, "do not stop at END"),
    "no padding": (_decoder(pad=False), FAILED, "rows that have ended go on"),
    "no early break": (_decoder(stop=False), FAILED, "do not stop the loop"),
    "keeps the start token": (_decoder(keep_start=True), FAILED, "starts with the start token"),
    "keeps the start token, max_length in all": (
        _decoder(keep_start=True, extra_steps=-1),
        FAILED,
        "starts with the start token",
    ),
    "one step too many": (_decoder(extra_steps=1), FAILED, "max_length + 1"),
    "one step too few": (_decoder(extra_steps=-1), FAILED, "max_length - 1"),
    "time-major": (_decoder(time_major=True), FAILED, "time-major"),
    "stops when any row ends": (_decoder(stop_any=True), FAILED, "EVERY row has ended"),
    "drops the last END": (_decoder(drop_last=True), FAILED, "the last step is missing"),
    "float tokens": (_decoder(dtype=np.float64), FAILED, "integer array"),
    "int32 tokens": (_decoder(dtype=np.int32), PASSED, "agree"),
    "a list of arrays": (lambda *a: [np.zeros(2), np.zeros(3)], FAILED, ""),
}


@pytest.mark.parametrize("answer", GREEDY_ANSWERS)
def test_greedy_decoder(answer):
    function, status, words = GREEDY_ANSWERS[answer]
    verdict = check_function("greedy_decoder", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


@pytest.mark.parametrize(
    "name", ["make_decoder_inputs", "teacher_forcing_schedule", "greedy_decoder"]
)
def test_stub_is_not_attempted(name):
    verdict = check_function(name, _stub)
    assert verdict.status == NOT_ATTEMPTED
    assert "NotImplementedError" in verdict.message


def test_cases_differ_between_seeds_and_hold_all_schedules():
    from rnncourse.checks import get_exercise

    exercise = get_exercise("teacher_forcing_schedule")
    names = [case[1] for case in exercise.cases(np.random.default_rng(0))]
    assert sorted(names) == ["exponential", "inverse_sigmoid", "linear"]
    greedy = get_exercise("greedy_decoder")
    a = greedy.cases(np.random.default_rng(1))
    b = greedy.cases(np.random.default_rng(2))
    assert any(not np.array_equal(x[0], y[0]) for x, y in zip(a, b))


def test_many_seeds_right_answers_pass_and_mistakes_are_named():
    """The cases of any seed tell each mistake apart from the right answer."""
    from rnncourse.checks.exercise import get_exercise

    for seed in range(12):
        rng = np.random.default_rng(seed)
        for name, answers in (
            ("make_decoder_inputs", DECODER_INPUT_ANSWERS),
            ("teacher_forcing_schedule", SCHEDULE_ANSWERS),
            ("greedy_decoder", GREEDY_ANSWERS),
        ):
            exercise = get_exercise(name)
            cases = exercise.cases(rng)
            for label, (function, status, words) in answers.items():
                verdict = exercise.verdict(cases, exercise.observe_all(function, cases))
                assert verdict.status == status, (seed, name, label, verdict)
                assert words in verdict.message, (seed, name, label, verdict)


def test_greedy_cases_hold_the_edge_cases_the_text_names_in_every_draw():
    """A row that ends at the first step, a row that never ends (second case), and
    outputs shorter than max_length (first and third cases), in every draw."""
    from rnncourse.checks.exercise import NOTEBOOK_SEED, get_exercise
    from rnncourse.training import greedy_decode

    exercise = get_exercise("greedy_decoder")
    for seed in [NOTEBOOK_SEED, *range(50)]:
        for index, case in enumerate(exercise.cases(np.random.default_rng(seed))):
            table, stop_at, counters, start_token, end_token, max_length = case
            end_step = stop_at - counters[:, 0].astype(np.int64)
            assert (end_step == 0).any(), (seed, index)
            decoded = exercise.run(
                lambda *args: greedy_decode(
                    args[0], args[1], start_token=args[2], end_token=args[3], max_length=args[4]
                ),
                case,
            )
            if index == 1:
                assert (end_step >= max_length).any(), (seed, index)
                assert decoded.shape[1] == max_length
            else:
                assert decoded.shape[1] < max_length and len(set(end_step)) > 1, (seed, index)


def _framework_copies_inputs():
    from rnncourse.checks.exercise import Exercise

    return hasattr(Exercise, "read_only_inputs")


@pytest.mark.skipif(
    not _framework_copies_inputs(),
    reason="contract 1 (inputs copied, read-only inputs) not merged yet",
)
def test_shifting_targets_in_place_is_named():
    def in_place(targets, start_token):
        targets[:, 1:] = targets[:, :-1].copy()
        targets[:, 0] = start_token
        return targets

    verdict = check_function("make_decoder_inputs", in_place)
    assert verdict.status == FAILED, verdict
    assert "in place" in verdict.message and "targets" in verdict.message, verdict
    assert "shift them right" not in verdict.message, verdict
