"""Lesson 11's checks against right answers and the typical wrong ones.

Every wrong answer must fail with the message that names its mistake; the right answer
must pass; the stub is "not attempted"; odd return values fail without crashing. The
cases must hold the edge cases the lesson names on every draw.
"""

from __future__ import annotations

import numpy as np
import pytest
from corpus import lesson11 as corpus

from rnncourse.checks import FAILED, NOT_ATTEMPTED, PASSED, check_function
from rnncourse.checks.exercise import get_exercise
from rnncourse.reference.linear_attention import (
    linear_attention_parallel,
    linear_attention_recurrent,
)


def _stub(*args):
    raise NotImplementedError("write your code here")


@pytest.mark.parametrize("name", sorted(corpus.RIGHT))
def test_right_answers_pass_and_the_stub_is_not_attempted(name):
    for function in corpus.RIGHT[name]:
        verdict = check_function(name, function)
        assert verdict.status == PASSED, (function.__name__, verdict)
    verdict = check_function(name, _stub)
    assert verdict.status == NOT_ATTEMPTED, verdict


@pytest.mark.parametrize("name", sorted(corpus.WRONG))
def test_wrong_answers_name_their_mistake(name):
    for function, words in corpus.WRONG[name]:
        verdict = check_function(name, function)
        assert verdict.status == FAILED, (function.__name__, verdict)
        assert words in verdict.message, (function.__name__, verdict.message)


ODD_VALUES = [None, 3, "text", [1, 2, 3], {"a": 1}, np.zeros(4), (np.zeros(2), np.zeros(3))]


@pytest.mark.parametrize("name", sorted(corpus.RIGHT))
@pytest.mark.parametrize("odd", range(len(ODD_VALUES)))
def test_odd_return_values_fail_without_crashing(name, odd):
    value = ODD_VALUES[odd]
    verdict = check_function(name, lambda *args, value=value: value)
    assert verdict.status == FAILED, verdict
    assert "could not be checked" not in verdict.message, verdict.message


def test_nan_and_wrong_shapes_get_plain_messages():
    verdict = check_function("linear_recurrence_loop", lambda a, b, h0: np.full(a.shape, np.nan))
    assert verdict.status == FAILED and "NaN" in verdict.message
    verdict = check_function("linear_recurrence_loop", lambda a, b, h0: np.swapaxes(a, 1, 2))
    assert verdict.status == FAILED and "shape" in verdict.message


def test_recurrence_cases_hold_one_step_and_nonzero_h0_on_every_draw():
    exercise = get_exercise("linear_recurrence_loop")
    for seed in range(30):
        cases = exercise.cases(np.random.default_rng(seed))
        assert any(a.shape[1] == 1 for a, _, _ in cases)
        assert all(np.abs(h0).min() > 0 for _, _, h0 in cases)
        assert all(len({a.shape[0], a.shape[1], a.shape[2]}) == 3 for a, _, _ in cases
                   if a.shape[1] > 1)


def test_attention_cases_have_distinct_key_and_value_widths():
    exercise = get_exercise("linear_attention_recurrent")
    for seed in range(30):
        for q, k, v in exercise.cases(np.random.default_rng(seed)):
            assert q.shape == k.shape and q.shape[2] != v.shape[2]


def test_min_gru_cases_have_nonzero_initial_states():
    exercise = get_exercise("min_gru_parallel")
    for seed in range(30):
        for _, _, _, h0 in exercise.cases(np.random.default_rng(seed)):
            assert np.abs(h0).min() > 0


def test_a_loop_that_calls_the_scan_only_for_show_still_passes():
    """The requirement is that the states come from the scan: calling it is what is checked."""

    def answer(x, kernel, bias, h0, scan):
        return corpus.min_gru_plain(x, kernel, bias, h0, scan)

    assert check_function("min_gru_parallel", answer).status == PASSED


def test_reference_forms_of_linear_attention_agree():
    rng = np.random.default_rng(0)
    q, k, v = rng.normal(size=(2, 9, 3)), rng.normal(size=(2, 9, 3)), rng.normal(size=(2, 9, 4))
    np.testing.assert_allclose(linear_attention_parallel(q, k, v),
                               linear_attention_recurrent(q, k, v), atol=1e-12)


# Holes a black-box tester found ---------------------------------------------------------


def test_min_gru_needs_one_scan_over_the_whole_sequence_and_its_result():
    """A loop that calls the scan and discards it, a scan per step, a scan over part of the
    sequence: each gets its own message, on the notebook seed and on other seeds."""
    cases = [
        (corpus.min_gru_loop_instead, "never called"),
        (corpus.min_gru_scan_discarded, "not the array that scan returned"),
        (corpus.min_gru_scan_per_step, "you called scan"),
        (corpus.min_gru_scan_of_half, "pass the whole sequence"),
    ]
    for seed in (None, 0, 1, 2):
        for function, words in cases:
            verdict = (check_function("min_gru_parallel", function) if seed is None
                       else check_function("min_gru_parallel", function, seed=seed))
            assert verdict.status == FAILED and words in verdict.message, (seed, verdict)


def test_min_gru_accepts_a_float32_copy_of_the_scan_result_and_tensors():
    def float32_copy(x, kernel, bias, h0, scan):
        return np.array(corpus.min_gru_plain(x, kernel, bias, h0, scan), dtype=np.float32)

    def tensors_in(x, kernel, bias, h0, scan):
        import keras

        a, b = corpus._min_gru_ab(x, kernel, bias)
        states = scan(keras.ops.convert_to_tensor(a), keras.ops.convert_to_tensor(b), h0)
        assert isinstance(states, np.ndarray)  # the text says so
        return states

    for function in (float32_copy, tensors_in):
        verdict = check_function("min_gru_parallel", function)
        assert verdict.status == PASSED, verdict


def test_combine_may_not_modify_its_inputs():
    exercise = get_exercise("combine")
    assert exercise.read_only_inputs == ("first", "second")
    verdict = check_function("combine", corpus.combine_in_place)
    assert verdict.status == FAILED and "modified `first` in place" in verdict.message


def test_messages_name_what_was_returned():
    verdict = check_function("combine", corpus.combine_one_item)
    assert "a tuple of 1 item." in verdict.message, verdict
    verdict = check_function("linear_recurrence_loop", corpus.loop_stops_early)
    assert "stops one step early" in verdict.message and "late" not in verdict.message
    verdict = check_function("linear_recurrence_loop", corpus.loop_one_late)
    assert "one step late" in verdict.message, verdict
    verdict = check_function("linear_attention_recurrent", corpus.la_wrong_order)
    assert "wrong order" in verdict.message, verdict
    for function in (corpus.la_exclusive, corpus.la_output_before_update_guarded,
                     corpus.la_output_before_update_eps):
        verdict = check_function("linear_attention_recurrent", function)
        assert "its own key and value" in verdict.message, (function.__name__, verdict)
    for seed in range(8):  # once named "precision" on some seeds
        verdict = check_function("linear_attention_recurrent", corpus.la_scaled_queries, seed=seed)
        assert "no 1/sqrt(d_k) scaling" in verdict.message, (seed, verdict)
    verdict = check_function("linear_recurrence_loop", lambda a, b, h0: 2 * a)
    assert "the array of states has the right shape" in verdict.message, verdict
