"""Lesson 03's checks against right answers and the typical wrong ones.

Every wrong answer must fail with the message that names its mistake; the
right answer must pass; nothing a learner writes may make a check raise.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.checks import FAILED, NOT_ATTEMPTED, PASSED, check_function


def _stub(*args):
    raise NotImplementedError("write your code here")


@pytest.mark.parametrize("name", ["tanh_step_jacobian", "gradient_norm_bound",
                                  "log_norm_slope", "clip_by_global_norm"])
def test_stub_is_not_attempted(name):
    verdict = check_function(name, _stub)
    assert verdict.status == NOT_ATTEMPTED, verdict
    assert "NotImplementedError" in verdict.message


# --------------------------------------------------------------------------- Jacobian

JACOBIAN_ANSWERS = {
    "right": (lambda h, W: (1 - h**2)[:, :, None] * W.T[None], PASSED, "agree"),
    "einsum": (lambda h, W: np.einsum("bi,ji->bij", 1 - h**2, W), PASSED, "agree"),
    "transposed W_hh": (lambda h, W: (1 - h**2)[:, :, None] * W[None], FAILED,
                        "W_hh looks transposed"),
    "no derivative": (lambda h, W: np.broadcast_to(W.T, (h.shape[0], *W.shape)), FAILED,
                      "derivative of tanh is missing"),
    "derivative on columns": (lambda h, W: W.T[None] * (1 - h**2)[:, None, :], FAILED,
                              "multiplies the columns"),
    "transposed Jacobian": (lambda h, W: W[None] * (1 - h**2)[:, None, :], FAILED,
                            "Jacobian is transposed"),
    "tanh again": (lambda h, W: (1 - np.tanh(h) ** 2)[:, :, None] * W.T[None], FAILED,
                   "applied tanh to h_t again"),
    "no square": (lambda h, W: (1 - h)[:, :, None] * W.T[None], FAILED, "square is missing"),
    "sigmoid derivative": (lambda h, W: (h * (1 - h))[:, :, None] * W.T[None], FAILED,
                           "sigmoid's derivative"),
    "batch mean": (lambda h, W: ((1 - h**2)[:, :, None] * W.T[None]).mean(0), FAILED,
                   "one Jacobian for the whole batch"),
    "None": (lambda h, W: None, FAILED, "forget the `return`"),
}


@pytest.mark.parametrize("answer", JACOBIAN_ANSWERS)
def test_tanh_step_jacobian(answer):
    function, status, words = JACOBIAN_ANSWERS[answer]
    verdict = check_function("tanh_step_jacobian", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


# --------------------------------------------------------------------------- bound

GAMMA = {"tanh": 1.0, "sigmoid": 0.25}

BOUND_ANSWERS = {
    "right": (lambda W, d, a: (np.linalg.norm(W, 2) * GAMMA[a]) ** d, PASSED, "agree"),
    "right via svd": (lambda W, d, a: float(np.linalg.svd(W)[1][0] * GAMMA[a]) ** d, PASSED,
                      "agree"),
    "as array": (lambda W, d, a: np.array([(np.linalg.norm(W, 2) * GAMMA[a]) ** d]), PASSED,
                 "agree"),
    "determinant": (lambda W, d, a: (abs(np.linalg.det(W)) * GAMMA[a]) ** d, FAILED,
                    "determinant"),
    "spectral radius": (lambda W, d, a: (np.abs(np.linalg.eigvals(W)).max() * GAMMA[a]) ** d,
                        FAILED, "spectral radius"),
    "Frobenius": (lambda W, d, a: (np.linalg.norm(W) * GAMMA[a]) ** d, FAILED, "Frobenius"),
    "no gamma": (lambda W, d, a: np.linalg.norm(W, 2) ** d, FAILED, "1/4 for the logistic"),
    "gamma 1/2": (lambda W, d, a: (np.linalg.norm(W, 2) * (0.5 if a == "sigmoid" else 1)) ** d,
                  FAILED, "not 1/2"),
    "gamma once": (lambda W, d, a: np.linalg.norm(W, 2) ** d * GAMMA[a], FAILED,
                   "applied once instead of once per step"),
    "d - 1": (lambda W, d, a: (np.linalg.norm(W, 2) * GAMMA[a]) ** (d - 1), FAILED,
              "distance - 1"),
    "no power": (lambda W, d, a: np.linalg.norm(W, 2) * GAMMA[a], FAILED, "power is missing"),
    "a string": (lambda W, d, a: "big", FAILED, "return one number"),
}


@pytest.mark.parametrize("answer", BOUND_ANSWERS)
def test_gradient_norm_bound(answer):
    function, status, words = BOUND_ANSWERS[answer]
    verdict = check_function("gradient_norm_bound", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


# --------------------------------------------------------------------------- clipping


def _global(gs):
    return np.sqrt(sum(np.sum(g**2) for g in gs))


CLIP_ANSWERS = {
    "right": (lambda gs, c: [g * min(1.0, c / _global(gs)) for g in gs], PASSED, "agree"),
    "right as tuple": (lambda gs, c: tuple(g * min(1.0, c / _global(gs)) for g in gs), PASSED,
                       "agree"),
    "per tensor": (lambda gs, c: [g * min(1.0, c / np.linalg.norm(g)) for g in gs], FAILED,
                   "each array by its own norm"),
    "always rescale": (lambda gs, c: [g * c / _global(gs) for g in gs], FAILED,
                       "below the threshold"),
    "clip values": (lambda gs, c: [np.clip(g, -c, c) for g in gs], FAILED, "elementwise"),
    "no sqrt": (lambda gs, c: [g * min(1.0, c / _global(gs) ** 2) for g in gs], FAILED,
                "square root seems missing"),
    "upside down": (lambda gs, c: [g * min(1.0, _global(gs) / c) for g in gs], FAILED,
                    "upside down"),
    "unit length": (lambda gs, c: [g * min(1.0, 1 / _global(gs)) for g in gs], FAILED,
                    "length 1"),
    "nothing": (lambda gs, c: [g * 0.5 for g in gs], FAILED, "should be multiplied by"),
    "one array": (lambda gs, c: np.concatenate([g.ravel() for g in gs]), FAILED,
                  "return a list"),
    "short list": (lambda gs, c: gs[:2], FAILED, "one array per gradient"),
    "flattened": (lambda gs, c: [g.ravel() * min(1.0, c / _global(gs)) for g in gs], FAILED,
                  "keeps the shape"),
    "a number": (lambda gs, c: _global(gs), FAILED, "one number"),
    "None": (lambda gs, c: None, FAILED, "forget the `return`"),
}


@pytest.mark.parametrize("answer", CLIP_ANSWERS)
def test_clip_by_global_norm(answer):
    function, status, words = CLIP_ANSWERS[answer]
    verdict = check_function("clip_by_global_norm", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict


def test_clip_that_modifies_its_inputs_fails_with_its_name():
    """The text says "Do not modify the arrays you are given": checked on every draw."""
    from rnncourse.checks.exercise import NOTEBOOK_SEED

    def in_place(gs, c):
        factor = min(1.0, c / _global(gs))
        for g in gs:
            g *= factor
        return gs

    def replaces_items(gs, c):
        factor = min(1.0, c / _global(gs))
        for i, g in enumerate(gs):
            gs[i] = g * factor  # new arrays, but the caller's list is changed
        return gs

    for function in (in_place, replaces_items):
        for seed in [NOTEBOOK_SEED, *range(10)]:
            verdict = check_function("clip_by_global_norm", function, seed=seed)
            assert verdict.status == FAILED, (seed, verdict)
            assert "modified `gradients` in place" in verdict.message, verdict


@pytest.mark.parametrize("seed", [None, 0, 1, 2, 3, 4])
def test_float32_answers_pass(seed):
    from rnncourse.checks.exercise import NOTEBOOK_SEED

    seed = NOTEBOOK_SEED if seed is None else seed
    f32 = np.float32
    answers = {
        "gradient_norm_bound": lambda W, d, a: float(
            ({"tanh": f32(1), "sigmoid": f32(0.25)}[a]
             * np.linalg.svd(W.astype(f32), compute_uv=False)[0]) ** d),
        "tanh_step_jacobian": lambda h, W: (1 - h.astype(f32) ** 2)[:, :, None]
        * W.astype(f32).T[None],
        "log_norm_slope": lambda d, n: float(
            np.polyfit(d.astype(f32), np.log(n).astype(f32), 1)[0]),
        "clip_by_global_norm": lambda gs, c: [
            g.astype(f32) * f32(min(1.0, c / _global([g.astype(f32) for g in gs]))) for g in gs],
    }
    for name, function in answers.items():
        verdict = check_function(name, function, seed=seed)
        assert verdict.status == PASSED, (name, seed, verdict)


# --------------------------------------------------------------------------- slope

SLOPE_ANSWERS = {
    "right": (lambda d, n: np.polyfit(d, np.log(n), 1)[0], PASSED, "agree"),
    "by formula": (lambda d, n: np.cov(d, np.log(n))[0, 1] / np.var(d, ddof=1), PASSED, "agree"),
    "no log": (lambda d, n: np.polyfit(d, n, 1)[0], FAILED, "norms themselves"),
    "log10": (lambda d, n: np.polyfit(d, np.log10(n), 1)[0], FAILED, "log10"),
    "factor": (lambda d, n: np.exp(np.polyfit(d, np.log(n), 1)[0]), FAILED, "exp(slope)"),
    "swapped": (lambda d, n: np.polyfit(np.log(n), d, 1)[0], FAILED, "axes are swapped"),
    "intercept": (lambda d, n: np.polyfit(d, np.log(n), 1)[1], FAILED, "intercept"),
    "both": (lambda d, n: np.polyfit(d, np.log(n), 1), FAILED, "two numbers"),
    "end points": (lambda d, n: (np.log(n[-1]) - np.log(n[0])) / (d[-1] - d[0]), FAILED,
                   "two end points"),
    "sign": (lambda d, n: -np.polyfit(d, np.log(n), 1)[0], FAILED, "sign is flipped"),
}


@pytest.mark.parametrize("answer", SLOPE_ANSWERS)
def test_log_norm_slope(answer):
    function, status, words = SLOPE_ANSWERS[answer]
    verdict = check_function("log_norm_slope", function)
    assert verdict.status == status, verdict
    assert words in verdict.message, verdict
