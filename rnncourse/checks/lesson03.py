"""Checks for lesson 03: vanishing and exploding gradients.

Each wrong answer listed here differs from the right one in a single term,
so that a match names the mistake.
"""

from __future__ import annotations

import numpy as np

from rnncourse.checks.core import Failure, compare_arrays, describe, distinct_sizes
from rnncourse.checks.exercise import Exercise, register
from rnncourse.training import clip_by_global_norm as ref_clip
from rnncourse.training import global_norm as ref_global_norm

#: The largest derivative of each activation: tanh'(0) = 1, sigmoid'(0) = 1/4.
MAX_DERIVATIVE = {"tanh": 1.0, "sigmoid": 0.25}



# --------------------------------------------------------------------------- the Jacobian


def _jacobian(h_t, W_hh, derivative):
    """(batch, units, units): diag(derivative) @ W_hh.T for each row of the batch."""
    return derivative[:, :, None] * W_hh.T[None, :, :]


@register
class TanhStepJacobian(Exercise):
    """``tanh_step_jacobian(h_t, W_hh) -> dh_t/dh_{t-1}``, shape (batch, units, units)."""

    name = "tanh_step_jacobian"
    lesson = "03"
    input_names = ("h_t", "W_hh")
    read_only_inputs = ()

    def cases(self, rng):
        cases = []
        for _ in range(3):
            batch, units = distinct_sizes(rng, 2, 2, 6)
            h_t = rng.uniform(-0.95, 0.95, size=(batch, units))
            W_hh = rng.normal(0.0, 0.7, size=(units, units))
            cases.append((h_t, W_hh))
        return cases

    def judge(self, case, value):
        h_t, W_hh = case
        d = 1.0 - h_t**2
        right = _jacobian(h_t, W_hh, d)
        batch, units = h_t.shape
        mistakes = [
            ("W_hh looks transposed: you computed diag(1 - h_t²) W_hh. In Keras's layout "
             "h_t = tanh(... + h_{t-1} W_hh), so entry [i, j] = ∂h_t[i]/∂h_{t-1}[j] is "
             "(1 - h_t[i]²) W_hh[j, i]: the Jacobian is diag(1 - h_t²) W_hh.T.",
             _jacobian(h_t, W_hh.T, d)),
            ("the derivative of tanh is missing: you returned W_hh.T for every example. "
             "Multiply row i by tanh'(a_i) = 1 - h_t[i]².",
             np.broadcast_to(W_hh.T, (batch, units, units))),
            ("the tanh derivative multiplies the columns instead of the rows: you computed "
             "W_hh.T diag(1 - h_t²). Row i belongs to output unit h_t[i], so scale the rows: "
             "diag(1 - h_t²) W_hh.T.", W_hh.T[None, :, :] * d[:, None, :]),
            ("your Jacobian is transposed: rows should index h_t and columns h_{t-1} "
             "(you returned W_hh diag(1 - h_t²)).", np.transpose(right, (0, 2, 1))),
            ("you applied tanh to h_t again: h_t is already tanh(a_t), so tanh'(a_t) is "
             "1 - h_t², not 1 - tanh(h_t)².", _jacobian(h_t, W_hh, 1.0 - np.tanh(h_t) ** 2)),
            ("the derivative looks like 1 - h_t (the square is missing): tanh'(a) = 1 - tanh(a)².",
             _jacobian(h_t, W_hh, 1.0 - h_t)),
            ("you used the logistic sigmoid's derivative h (1 - h); for tanh it is 1 - h².",
             _jacobian(h_t, W_hh, h_t * (1.0 - h_t))),
            ("you used h_t² as the derivative; tanh'(a) = 1 - h_t².", _jacobian(h_t, W_hh, h_t**2)),
            ("you returned one Jacobian for the whole batch (the mean over examples); "
             "return one (units, units) matrix per example, shape (batch, units, units).",
             right.mean(axis=0)),
        ]
        compare_arrays(value, right, mistakes, what="the Jacobian dh_t/dh_{t-1}")


# --------------------------------------------------------------------------- the bound


def bound(W_hh, distance, activation):
    """(largest singular value of W_hh * largest activation derivative) ** distance."""
    return float((np.linalg.norm(W_hh, 2) * MAX_DERIVATIVE[activation]) ** distance)


def _bound_mistakes(W_hh, distance, activation):
    """``(message, value)`` of each typical wrong bound."""
    gamma = MAX_DERIVATIVE[activation]
    sigma = np.linalg.norm(W_hh, 2)
    eig = np.max(np.abs(np.linalg.eigvals(W_hh)))
    return [
        ("you used the determinant of W_hh. The determinant is the product of ALL "
         "singular values, so it can be small while one direction still grows: the "
         "bound uses the largest singular value, np.linalg.norm(W_hh, 2).",
         (abs(np.linalg.det(W_hh)) * gamma) ** distance),
        ("you used the largest |eigenvalue| (spectral radius). For a matrix that is not "
         "symmetric it can be smaller than the largest singular value, so it is not a "
         "bound: use np.linalg.norm(W_hh, 2).", (eig * gamma) ** distance),
        ("you used the Frobenius norm (np.linalg.norm(W_hh) with no order). It is a "
         "valid but looser bound; the lesson's bound uses the spectral norm, "
         "np.linalg.norm(W_hh, 2).", (np.linalg.norm(W_hh) * gamma) ** distance),
        ("you used the smallest singular value; the bound needs the largest.",
         (np.linalg.svd(W_hh, compute_uv=False).min() * gamma) ** distance),
        ("you used the largest entry of W_hh; the bound needs the largest singular "
         "value, np.linalg.norm(W_hh, 2).", (np.abs(W_hh).max() * gamma) ** distance),
        ("the activation's largest derivative is missing: it is 1 for tanh but 1/4 for "
         "the logistic sigmoid.", sigma**distance),
        ("the sigmoid's largest derivative is 1/4 (at 0: σ(0)(1 - σ(0)) = 1/2 · 1/2), "
         "not 1/2.", (sigma * (0.5 if activation == "sigmoid" else 1.0)) ** distance),
        ("the activation's derivative is applied once instead of once per step: "
         "raise (σ_max · γ) to the power `distance`, not σ_max only.",
         sigma**distance * gamma),
        ("the exponent is off by one: there is one Jacobian per step, so `distance` "
         "factors (you used distance - 1).", (sigma * gamma) ** (distance - 1)),
        ("the exponent is off by one: there is one Jacobian per step, so `distance` "
         "factors (you used distance + 1).", (sigma * gamma) ** (distance + 1)),
        ("the power is missing: a bound over `distance` steps is the one-step bound "
         "raised to the power `distance`.", sigma * gamma),
        ("you multiplied by the distance instead of raising to its power.",
         sigma * gamma * distance),
    ]


def _bound_case_is_clear(W_hh, distance, activation) -> bool:
    """True when the right bound and the wrong ones (those that differ from it) are at least
    2% apart, relatively (the pass band is 0.5%): a value two mistakes give could not be named."""
    right = bound(W_hh, distance, activation)
    values = [v for _, v in _bound_mistakes(W_hh, distance, activation)
              if not np.isclose(v, right, rtol=1e-9, atol=0.0)]
    values = np.sort(np.abs(np.array([right, *values])))
    return bool(np.all(np.diff(values) > 0.02 * values[1:]))


@register
class GradientNormBound(Exercise):
    """``gradient_norm_bound(W_hh, distance, activation) -> float``."""

    name = "gradient_norm_bound"
    lesson = "03"

    def cases(self, rng):
        cases = []
        for activation in ("tanh", "sigmoid", "tanh", "sigmoid"):
            for _ in range(100):  # redraw until every typical mistake gives its own value
                units = int(rng.integers(3, 7))
                # not symmetric, so that singular values, eigenvalues and the determinant differ
                W_hh = rng.normal(0.0, 1.6 / np.sqrt(units), size=(units, units))
                W_hh += np.triu(rng.normal(0.0, 0.8, size=(units, units)), 1)
                distance = int(rng.integers(3, 9))
                if _bound_case_is_clear(W_hh, distance, activation):
                    break
            cases.append((W_hh, distance, activation))
        return cases

    def judge(self, case, value):
        W_hh, distance, activation = case
        if isinstance(value, np.ndarray) and value.size == 1:
            value = float(value.reshape(()))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Failure(f"return one number (a float); you returned {describe(value)}.")
        right = bound(W_hh, distance, activation)
        mistakes = _bound_mistakes(W_hh, distance, activation)
        # the default band scales with the value, so a float32 SVD passes; the cases keep the
        # wrong bounds apart from each other (see _bound_case_is_clear)
        compare_arrays(float(value), np.asarray(right), mistakes,
                       what=f"the bound (activation {activation!r}, distance {distance})")


# --------------------------------------------------------------------------- the slope


def _slope(x, y):
    return float(np.polyfit(np.asarray(x, dtype=np.float64), y, 1)[0])


@register
class LogNormSlope(Exercise):
    """``log_norm_slope(distances, norms) -> float``: least-squares slope of ln(norm)."""

    name = "log_norm_slope"
    lesson = "03"
    input_names = ("distances", "norms")
    read_only_inputs = ()

    def cases(self, rng):
        cases = []
        for slope in (-0.4, 0.15, -0.05):
            n = int(rng.integers(12, 30))
            start = int(rng.integers(1, 5))  # not from 0: the intercept must not matter
            distances = np.arange(start, start + n)
            log_norms = rng.normal(0.0, 1.0) + slope * distances + rng.normal(0.0, 0.15, n)
            cases.append((distances, np.exp(log_norms)))
        return cases

    def judge(self, case, value):
        distances, norms = case
        if isinstance(value, np.ndarray) and value.shape == (2,):
            raise Failure("you returned two numbers (np.polyfit's slope and intercept); "
                          "return only the slope, np.polyfit(...)[0].")
        if isinstance(value, np.ndarray) and value.size == 1:
            value = float(value.reshape(()))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Failure(f"return one number (a float); you returned {describe(value)}.")
        logs = np.log(norms)
        right = _slope(distances, logs)
        mistakes = [
            ("you fitted the line to the norms themselves; fit it to their logarithm, "
             "np.log(norms).", _slope(distances, norms)),
            ("you used log10; the lesson's slope is in natural log units (np.log), so that "
             "exp(slope) is the factor per step.", _slope(distances, np.log10(norms))),
            ("you returned exp(slope), the factor per step; return the slope of the log "
             "line itself.", np.exp(right)),
            ("the axes are swapped: you fitted the distance as a function of the log-norm. "
             "Use np.polyfit(distances, np.log(norms), 1).", _slope(logs, distances)),
            ("you returned the intercept; np.polyfit(x, y, 1) returns [slope, intercept].",
             float(np.polyfit(distances, logs, 1)[1])),
            ("you used the two end points only; fit a least-squares line through all the "
             "points (np.polyfit).",
             (logs[-1] - logs[0]) / (distances[-1] - distances[0])),
            ("the sign is flipped: a norm that falls with the distance has a negative slope.",
             -right),
        ]
        compare_arrays(float(value), np.asarray(right), mistakes, what="the slope")


# --------------------------------------------------------------------------- clipping


def _scaled(gradients, factor):
    return [np.asarray(g, dtype=np.float64) * factor for g in gradients]


def _clip_mistakes(gradients, c):
    norm = ref_global_norm(gradients)
    squared = norm**2
    return [
        ("you clipped each array by its own norm (what the optimizer's `clipnorm` does). "
         "Global clipping uses ONE norm, sqrt(sum of the squares of every entry of every "
         "array), and ONE factor for all arrays, so the direction is kept.",
         [np.asarray(g) * min(1.0, c / np.linalg.norm(g)) for g in gradients]),
        ("you rescaled even though the global norm is below the threshold: multiply by "
         "min(1, c / norm), so short gradients are left unchanged.", _scaled(gradients, c / norm)),
        ("you clipped the values elementwise (what `clipvalue` does): that changes the "
         "direction. Rescale every array by min(1, c / global norm) instead.",
         [np.clip(g, -c, c) for g in gradients]),
        ("the square root seems missing: you divided by the sum of squares, not by its "
         "square root (the global norm).", _scaled(gradients, min(1.0, c / squared))),
        ("the ratio is upside down: the factor is min(1, c / norm), not min(1, norm / c).",
         _scaled(gradients, min(1.0, norm / c))),
        ("you normalised to length 1: the factor is c / norm, so that the clipped "
         "gradient has length c.", _scaled(gradients, min(1.0, 1.0 / norm))),
        ("you used the mean instead of the sum of squares: the global norm is "
         "sqrt(sum of every squared entry).",
         _scaled(gradients, min(1.0, c / np.sqrt(np.mean(np.concatenate(
             [np.ravel(g) for g in gradients]) ** 2))))),
    ]


def _same_list(got, want, rtol=1e-6, atol=1e-9) -> bool:
    if not isinstance(got, list) or len(got) != len(want):
        return False
    for g, w in zip(got, want):
        if not isinstance(g, np.ndarray) or g.shape != np.shape(w):
            return False
        if not np.allclose(g.astype(np.float64), w, rtol=rtol, atol=atol):
            return False
    return True


@register
class ClipByGlobalNorm(Exercise):
    """``clip_by_global_norm(gradients, clip_norm) -> list of arrays``."""

    name = "clip_by_global_norm"
    lesson = "03"
    # the text says: "Do not modify the arrays you are given."
    input_names = ("gradients", "clip_norm")
    read_only_inputs = ("gradients",)

    def cases(self, rng):
        cases = []
        # (global norm / c) for each case: far above, below (nothing to do), just above
        for ratio in (4.0, 0.5, 1.7):
            rows, cols, size = distinct_sizes(rng, 3, 2, 6)
            shapes = [(rows, cols), (cols,), (size, rows)]
            gradients = [rng.normal(size=s) for s in shapes]
            gradients[0] *= 3.0  # one big array, others small: per-array clipping differs
            c = ref_global_norm(gradients) / ratio
            cases.append((gradients, float(c)))
        return cases

    def run(self, function, case):
        gradients, c = case
        given = [g.copy() for g in gradients]
        value = function(given, c)
        if isinstance(value, tuple):
            value = list(value)
        # the text forbids modifying the arrays: compare them with the originals
        modified = len(given) != len(gradients) or any(
            not isinstance(g, np.ndarray) or g.shape != o.shape or not np.array_equal(g, o)
            for g, o in zip(given, gradients))
        return {"value": value, "modified_input": bool(modified)}

    def judge(self, case, value):
        gradients, c = case
        if isinstance(value, dict) and set(value) == {"value", "modified_input"}:
            if value["modified_input"]:
                raise Failure(
                    "your function modified `gradients` in place (the list or its arrays): "
                    "the text says not to modify the arrays you are given, since the caller "
                    "may still need them. Return new arrays, g * factor, instead of g *= factor."
                )
            value = value["value"]
        right = ref_clip(gradients, c)
        n = len(gradients)
        shapes = [g.shape for g in gradients]
        if value is None:
            raise Failure("your function returned None: did you forget the `return` statement?")
        if (isinstance(value, (int, float, np.number)) and not isinstance(value, bool)) or (
                isinstance(value, np.ndarray) and value.ndim == 0):
            raise Failure("you returned one number; return the list of clipped arrays.")
        if not isinstance(value, list):
            raise Failure(f"return a list of {n} arrays (one per gradient); you returned "
                          f"{describe(value)}.")
        if len(value) != n:
            raise Failure(f"return one array per gradient ({n}); your list has {len(value)}.")
        got = [np.asarray(v, dtype=np.float64) if isinstance(v, (np.ndarray, int, float))
               else v for v in value]
        for i, (v, shape) in enumerate(zip(got, shapes)):
            if not isinstance(v, np.ndarray):
                raise Failure(f"item {i} of your list is {describe(v)}; expected an array.")
            if v.shape != shape:
                raise Failure(f"item {i} has shape {v.shape}; each clipped array keeps the "
                              f"shape of its gradient, {shape}.")
        if _same_list(got, right):
            return
        norm = ref_global_norm(gradients)
        if norm > c and _same_list(got, [np.asarray(g, dtype=np.float64) for g in gradients]):
            raise Failure(
                f"your arrays came back unchanged, although their global norm {norm:.4g} is "
                f"above the threshold {c:.4g}. Either the ratio is upside down (the factor is "
                "min(1, c / norm), not min(1, norm / c)) or the norm is too small (the mean "
                "instead of the sum of squares: the global norm is sqrt(sum of every squared "
                "entry))."
            )
        for message, wrong in _clip_mistakes(gradients, c):
            if _same_list(got, wrong) and not _same_list(right, wrong):
                raise Failure(message)
        raise Failure(
            f"the clipped gradients are wrong: the global norm was {norm:.4g} and the "
            f"threshold {c:.4g}, so every array should be multiplied by "
            f"{min(1.0, c / norm):.4g}; your list has global norm {ref_global_norm(got):.4g}."
        )
