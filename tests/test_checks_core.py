"""The checks' machinery: plain data across processes, time limits, naming mistakes."""

from __future__ import annotations

import time

import numpy as np
import pytest

from rnncourse.checks.core import (
    FAILED,
    Failure,
    Foreign,
    Observation,
    Verdict,
    compare_arrays,
    decode,
    decode_observation,
    encode,
    encode_observation,
    observe,
    plain,
)


def test_plain_values_survive_encoding():
    value = {"a": np.arange(6.0).reshape(2, 3), "b": [1, "x", None], "c": float("nan"),
             "d": Foreign("Model")}
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
