"""The checks' machinery: plain data across processes, time limits, naming mistakes."""

from __future__ import annotations

import sys
import time

import numpy as np
import pytest

from rnncourse.checks.core import (
    FAILED,
    NOT_ATTEMPTED,
    STUB_MESSAGE,
    Failure,
    Foreign,
    Observation,
    TimeLimitExceeded,
    Verdict,
    compare_arrays,
    decode,
    decode_observation,
    encode,
    encode_observation,
    failure_for_observation,
    input_name,
    is_stub_error,
    modified_message,
    observe,
    plain,
    same_data,
    timeout_message,
)
from rnncourse.checks.exercise import Exercise, get_exercise


def test_plain_values_survive_encoding():
    value = {
        "a": np.arange(6.0).reshape(2, 3),
        "b": [1, "x", None],
        "c": float("nan"),
        "d": Foreign("Model"),
    }
    back = decode(encode(plain(value)))
    np.testing.assert_array_equal(back["a"], value["a"])
    assert back["b"][1:] == ["x", None] and back["b"][0] == 1
    assert np.isnan(back["c"]) and back["d"] == Foreign("Model")


def test_plain_turns_unknown_objects_into_foreign():
    class Strange:
        pass

    assert plain(Strange()) == Foreign("Strange")
    assert isinstance(plain(np.float32(2.5)), float)
    ragged = plain([[1, 2], [3]])
    assert isinstance(ragged, list) and len(ragged) == 2
    assert decode(encode(ragged))[1].tolist() == [3]


def test_decode_refuses_pickles_and_unknown_tags():
    import base64
    import io

    buffer = io.BytesIO()
    np.save(buffer, np.array([object()], dtype=object), allow_pickle=True)
    evil = {"__ndarray__": base64.b64encode(buffer.getvalue()).decode()}
    with pytest.raises(ValueError):
        decode(evil)
    with pytest.raises(ValueError):
        decode({"__other__": 1})


def test_observation_round_trip():
    obs = Observation("raised", error_type="ValueError", error_message="bad", error_line="line 2")
    assert decode_observation(encode_observation(obs)) == obs


def test_observe_catches_everything_and_times_out():
    assert observe(lambda: 1 / 0, 5).error_type == "ZeroDivisionError"
    assert observe(lambda: exit(3), 5).error_type == "SystemExit"
    started = time.monotonic()

    def forever():
        while True:
            pass

    assert observe(forever, 0.3).kind == "timeout"
    assert time.monotonic() - started < 3
    assert observe(lambda: np.ones(2), 5).kind == "value"


def test_compare_arrays_names_the_matching_mistake_first():
    right = np.arange(6.0).reshape(2, 3)
    compare_arrays(right + 1e-9, right)
    with pytest.raises(Failure, match="the bias"):
        compare_arrays(right - 1, right, [("the bias", right - 1)])
    with pytest.raises(Failure, match="shape \\(3, 2\\), expected \\(2, 3\\). It looks transposed"):
        compare_arrays(right.T, right)
    with pytest.raises(Failure, match="NaN"):
        compare_arrays(np.full((2, 3), np.nan), right)
    with pytest.raises(Failure, match="largest difference is 1 at index \\(1, 2\\)"):
        compare_arrays(right + np.array([[0, 0, 0], [0, 0, 1.0]]), right)
    with pytest.raises(Failure, match="`return`"):
        compare_arrays(None, right)


def test_verdict_rejects_unknown_status():
    with pytest.raises(ValueError):
        Verdict("x", "great")
    assert str(Verdict("x", FAILED, "why")) == "❌ x: failed — why"


# --------------------------------------------------------------------------- tolerance


def _float32_of(function, *arrays):
    """``function`` computed in float32 (every input cast), as a learner might."""
    return np.asarray(function(*(np.asarray(a, dtype=np.float32) for a in arrays)))


def _rnn_forward(x, h0, W_xh, W_hh, b_h):
    h, states = h0, []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ W_xh + h @ W_hh + b_h)
        states.append(h)
    return np.stack(states, axis=1)


def _softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def test_float32_answers_pass_on_many_draws():
    rng = np.random.default_rng(0)
    for _ in range(200):
        batch, steps, d, u = rng.integers(2, 9, size=4)
        args = (
            rng.normal(size=(batch, steps, d)),
            rng.normal(size=(batch, u)),
            rng.normal(0, 0.6, (d, u)),
            rng.normal(0, 0.6, (u, u)),
            rng.normal(0, 0.5, u),
        )
        compare_arrays(_float32_of(_rnn_forward, *args), _rnn_forward(*args))
        # sums of many terms, with cancellation inside: a float32 matrix product
        a, b = rng.normal(size=(20, 300)), rng.normal(size=(300, 10))
        compare_arrays(_float32_of(np.matmul, a, b), a @ b)
        # logits near ±1000: float32 stores them to about 6e-5
        logits = rng.choice([-900.0, 900.0], size=(4, 1)) + rng.normal(0, 20, (4, 7))
        compare_arrays(
            _float32_of(lambda z: _softmax(z / np.float32(0.8)), logits), _softmax(logits / 0.8)
        )
        compare_arrays(logits.astype(np.float32), logits)  # values near 1000 themselves


def test_tf32_level_errors_pass():
    # TF32 rounds a matrix product's inputs to 10 bits: about 5e-4 of each input
    rng = np.random.default_rng(1)

    def tf32(a):
        mantissa, exponent = np.frexp(a)
        return np.ldexp(np.round(mantissa * 2**11) / 2**11, exponent)

    for _ in range(200):
        a, b = rng.normal(size=(6, 8)), rng.normal(size=(8, 5))
        compare_arrays(np.tanh(tf32(a) @ tf32(b)), np.tanh(a @ b))


def test_just_outside_the_band_is_a_precision_failure_not_wrong_values():
    right = np.linspace(-3, 3, 12).reshape(3, 4)
    with pytest.raises(Failure, match="precision") as info:
        compare_arrays(right * (1 + 1e-2), right, [("the bias", right + 5)])
    assert "wrong values" not in str(info.value)
    assert "only to about 1e-2" in str(info.value)
    with pytest.raises(Failure, match="wrong values"):
        compare_arrays(right + 1.0, right)
    # float16 on the way: a precision failure, named as such
    with pytest.raises(Failure, match="float16"):
        compare_arrays(right.astype(np.float16) * 1.01, right)


def test_need_float64_rejects_float32_with_its_own_message():
    rng = np.random.default_rng(2)
    right = rng.normal(size=(5, 4))
    compare_arrays(right + 1e-13, right, need_float64=True)
    with pytest.raises(Failure) as info:
        compare_arrays(right.astype(np.float32), right, need_float64=True)
    message = str(info.value)
    assert "close to the answer, but only to about" in message
    assert "did you compute in float32? use float64 here" in message
    assert "dtype float32" in message
    # a float64 result that is only float32-accurate gets the same advice
    with pytest.raises(Failure, match="did you compute in float32"):
        compare_arrays(right * (1 + 3e-6), right, need_float64=True)
    with pytest.raises(Failure, match="wrong values"):
        compare_arrays(right + 1, right, need_float64=True)


def test_mistakes_are_named_only_outside_the_band():
    right = np.arange(1.0, 7.0).reshape(2, 3)
    bias = right + 0.5
    with pytest.raises(Failure, match="the bias"):
        compare_arrays(bias.astype(np.float32), right, [("the bias", bias)])
    # a "mistake" that changes nothing on this case is never named
    compare_arrays(right, right, [("the bias", right.copy())])
    with pytest.raises(Failure, match="wrong values"):
        compare_arrays(right + 3, right, [("the bias", right * (1 + 1e-4))])
    # mistakes with NaN in them (an overflowing softmax) are still recognised
    nan = right.copy()
    nan[0, 0] = np.nan
    with pytest.raises(Failure, match="overflow"):
        compare_arrays(nan.copy(), right, [("overflow", nan)])


def test_explicit_tolerances_never_go_below_float32():
    right = np.linspace(1, 2, 6)
    compare_arrays(right.astype(np.float32), right, rtol=1e-9, atol=0)
    compare_arrays(right + 0.05, right, rtol=0.1)  # wider than the default: widened
    with pytest.raises(Failure):
        compare_arrays(right.astype(np.float32), right, rtol=1e-9, atol=0, need_float64=True)


def test_whole_numbers_are_compared_exactly():
    ids = np.array([[3, 1000], [7, 12]])
    compare_arrays(ids.astype(np.float32), ids)
    with pytest.raises(Failure, match="wrong values"):
        compare_arrays(ids + np.array([[0, 1], [0, 0]]), ids)


def test_is_close_and_compare_number():
    from rnncourse.checks.core import compare_number, is_close

    assert is_close(np.float32(np.pi), np.pi)
    assert not is_close(3.2, np.pi)
    assert not is_close([1.0, 2.0], [1.0, 2.0, 3.0])
    assert is_close(np.pi + 1e-12, np.pi, need_float64=True)
    compare_number(np.float32(2.0) / np.float32(3.0), 2 / 3)
    compare_number(np.array([0.5]), 0.5)
    with pytest.raises(Failure, match="one number"):
        compare_number([1.0, 2.0], 1.0)
    with pytest.raises(Failure, match="ln 2"):
        compare_number(1.0 / np.log(2), 1.0, [("ln 2", 1.0 / np.log(2))])
    with pytest.raises(Failure, match="off by"):
        compare_number(1.5, 1.0)
    with pytest.raises(Failure, match="use float64 here"):
        compare_number(float(np.float32(1 / 3)), 1 / 3, need_float64=True)


def test_scale_widens_the_band_for_cancelling_terms():
    # a small result of large terms: float32 is off relative to the terms
    terms = np.array([1e4, 1.0, -1e4])
    got = np.float32(terms[0]) + np.float32(terms[1]) + np.float32(terms[2] + 1e-3)
    compare_arrays(np.asarray(got), np.asarray(1.0 + 1e-3), scale=1e4)


# --------------------------------------------------------------------------- inputs


class _Doubling(Exercise):
    """A tiny exercise for these tests: return 2 * x; ``x`` must not be modified."""

    name = "_test_doubling"
    lesson = "99"
    input_names = ("x", "factors")
    read_only_inputs = ("x",)
    time_limit = 2.0

    def cases(self, rng):
        return [(rng.normal(size=(3, 4)), [np.ones(2), np.zeros(3)]) for _ in range(3)]

    def judge(self, case, value):
        compare_arrays(value, 2 * case[0], [("you returned x", case[0])])


@pytest.fixture
def doubling(monkeypatch):
    from rnncourse.checks import exercise as exercise_module

    monkeypatch.setitem(exercise_module._REGISTRY, _Doubling.name, _Doubling())
    return _Doubling.name


def test_the_function_gets_copies_and_a_modified_read_only_input_is_named(doubling):
    from rnncourse.checks import check_function

    def in_place(x, factors):
        x *= 2
        return x

    def changes_the_list(x, factors):
        factors.append(np.ones(1))
        factors[0][0] = np.nan
        return 2 * x

    verdict = check_function(doubling, in_place)
    assert verdict.status == FAILED
    assert "your function modified `x` in place" in verdict.message
    assert "x_copy = x.copy()" in verdict.message
    # an input that may change: only the returned value is judged
    assert check_function(doubling, changes_the_list).passed
    exercise = get_exercise(doubling)
    cases = exercise.cases(np.random.default_rng(0))
    observations = exercise.observe_all(changes_the_list, cases)
    assert observations[0].extra["modified"] == ["factors"]
    assert same_data(cases[0][1], [np.ones(2), np.zeros(3)])  # the originals are untouched


def test_same_data_and_input_names():
    nan = np.array([1.0, np.nan])
    assert same_data(nan, nan.copy())
    assert not same_data(nan, np.array([1.0, 2.0]))
    assert not same_data(np.zeros(3), np.zeros((3, 1)))
    assert not same_data(np.zeros(3), np.zeros(3, dtype=np.float32))
    assert same_data({"a": [1, (2.0, nan)]}, {"a": [1, (2.0, nan.copy())]})
    assert not same_data({"a": [1, 2]}, {"a": [1, 3]})
    assert not same_data((1, 2), [1, 2])
    assert same_data(float("nan"), float("nan"))
    assert input_name(("x_t", "h_prev"), 1) == "h_prev"
    assert input_name(("x_t",), 1) == "argument 2"


def test_modified_message_suggests_a_copy_of_the_right_kind():
    assert "`dh = dh_all.copy()`" in modified_message("dh_all", np.zeros(2))
    assert "[g.copy() for g in gradients]" in modified_message("gradients", [np.zeros(2)])


def test_read_only_inputs_must_be_named():
    from rnncourse.checks.exercise import register

    class Bad(_Doubling):
        name = "_test_bad"
        read_only_inputs = ("y",)

    with pytest.raises(ValueError, match="not in input_names"):
        register(Bad)


def test_cases_survive_encoding_with_their_types():
    case = (np.arange(3), [np.ones(2), (1, 2.5)], np.float32(1.5), np.int64(3), True, None, "s")
    back = decode(encode(case))
    assert type(back) is tuple and type(back[1][1]) is tuple
    assert type(back[2]) is np.float32 and type(back[3]) is np.int64
    assert same_data(back, case)


# --------------------------------------------------------------------------- the stub


def test_only_the_untouched_stub_is_not_attempted():
    from rnncourse.authoring import stub_lines

    source = "\n".join(["def rnn_step(x):", *stub_lines("    ", ["return x"], "rnn_step")])
    namespace: dict = {}
    exec(compile(source, "<cell>", "exec"), namespace)
    obs = observe(lambda: namespace["rnn_step"](1), 5)
    assert is_stub_error(obs.error_type, obs.error_message, "rnn_step", obs.error_line)
    assert failure_for_observation(obs, "rnn_step").status == NOT_ATTEMPTED
    assert STUB_MESSAGE in obs.error_message
    # the learner's own NotImplementedError, or another exercise's stub, is a failure
    assert not is_stub_error("NotImplementedError", "not done yet", "rnn_step")
    assert not is_stub_error(
        "NotImplementedError", f"rnn_forward: {STUB_MESSAGE}", "rnn_step", "line 3: raise ..."
    )
    assert not is_stub_error("ValueError", STUB_MESSAGE, "rnn_step")
    # Keras wraps the message; the raising line still shows the stub
    wrapped = (
        f"Exception encountered when calling Answer.call(). \x1b[1mDotAttention: {STUB_MESSAGE}"
    )
    line = f'line 9: raise NotImplementedError("DotAttention: {STUB_MESSAGE}")'
    assert is_stub_error("NotImplementedError", wrapped, "DotAttention", line)
    own = Observation(
        "raised",
        error_type="NotImplementedError",
        error_message="todo",
        error_line="line 4: raise NotImplementedError('todo')",
    )
    verdict = failure_for_observation(own, "rnn_step")
    assert verdict.status == FAILED and "line 4" in verdict.message


# --------------------------------------------------------------------------- time and output


def _swallows_everything():
    while True:
        try:
            sum(range(1000))
        except BaseException:
            continue


def _swallows_exceptions():
    while True:
        try:
            sum(range(1000))
        except Exception:
            continue


def test_the_time_limit_cannot_be_caught_as_an_exception():
    assert not issubclass(TimeLimitExceeded, Exception)
    started = time.monotonic()
    obs = observe(_swallows_exceptions, 0.3)
    assert obs.kind == "timeout" and time.monotonic() - started < 2
    started = time.monotonic()
    obs = observe(_swallows_everything, 0.3)
    assert obs.kind == "timeout" and obs.extra["swallowed"] >= 1
    assert time.monotonic() - started < 3
    assert "BaseException" in timeout_message(obs)
    assert sys.gettrace() is None or sys.gettrace() is not None  # restored, whatever it was

    def raises_something_else():
        try:
            while True:
                pass
        except BaseException:
            raise ValueError("not me") from None

    assert observe(raises_something_else, 0.3).kind == "timeout"
    time.sleep(0.5)  # no alarm is left over after the block


def test_printing_is_captured_and_capped(doubling):
    from rnncourse.checks import check_function

    def chatty(x, factors):
        for i in range(100_000):
            print("step", i)
        return 2 * x

    started = time.monotonic()
    verdict = check_function(doubling, chatty)
    assert verdict.passed and time.monotonic() - started < 10
    lines = verdict.printed.splitlines()
    assert lines[0] == "step 0" and lines[19] == "step 19" and len(lines) == 21
    assert "your function printed 300,000 lines; only the first 20 are shown" in lines[-1]

    def endless_printer(x, factors):
        while True:
            print("still here")

    exercise = get_exercise(doubling)
    cases = exercise.cases(np.random.default_rng(0))
    observations = exercise.observe_all(endless_printer, cases)
    message = exercise.verdict(cases, observations).message
    assert "printed" in message and "lines meanwhile" in message


def test_check_prints_what_the_function_printed(doubling, capsys):
    from rnncourse.checks import check

    def hello(x, factors):
        print("hello")
        return 2 * x

    check(doubling, hello)
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == ["hello", "hello", "hello"] and out[3].startswith("✅")


def test_exact_copy_passes_float32_copies_and_fails_any_change_on_every_draw():
    from rnncourse.checks.core import Failure, compare_arrays

    rng = np.random.default_rng(0)
    for _ in range(50):
        values = rng.normal(300.0, 30.0, size=(7, 3))  # e.g. ppm values copied into windows
        compare_arrays(values.astype(np.float32), values, exact_copy=True)
        compare_arrays(values.copy(), values, exact_copy=True)
        for changed in (np.round(values, 2), values.astype(np.float16), values * 1.002,
                        values + 1e-3):
            with pytest.raises(Failure, match="values are changed"):
                compare_arrays(changed, values, exact_copy=True)
    with pytest.raises(Failure, match="dtype float16"):
        compare_arrays(values.astype(np.float16), values, exact_copy=True)
    with pytest.raises(Failure, match="shape"):
        compare_arrays(values.T, values, exact_copy=True)
    compare_arrays(np.arange(4), np.arange(4), exact_copy=True)  # whole numbers: exact
