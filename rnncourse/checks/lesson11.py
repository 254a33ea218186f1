"""Checks for lesson 11: linear recurrences, parallel scans, minGRU and linear attention.

Every exercise is NumPy maths compared with :mod:`rnncourse.reference` and with
the answers that the typical mistakes give, each differing from the right
answer in one term. ``min_gru_parallel`` gets the scan to use as an argument;
``run`` hands it a scan that records its calls (how many, the shapes it
got) and whether the returned states are the array it returned, so that an
answer that loops over time, calls the scan per step or discards its result
is told so. ``linear_attention_recurrent`` returns
its final state (S, z) with the outputs, which is what tells the recurrent
form from the parallel one.
"""

from __future__ import annotations

import numpy as np

from rnncourse.checks.core import Failure, compare_arrays, describe, distinct_sizes
from rnncourse.checks.exercise import Exercise, register
from rnncourse.reference._checks import sigmoid
from rnncourse.reference.linear_attention import elu_plus_one, linear_attention_recurrent
from rnncourse.reference.linear_recurrence import combine, linear_recurrence


def _items(value, count: int, what: str) -> list:
    """The ``count`` items of a returned tuple or list, or a Failure naming what came back."""
    if isinstance(value, np.ndarray) and value.ndim >= 1 and value.shape[0] == count:
        return list(value)  # a tuple of equal shapes arrives stacked
    if isinstance(value, list) and len(value) == count:
        return value
    raise Failure(f"{what} should be a tuple of {count} arrays, but it is {describe(value)}.")


# --------------------------------------------------------------------------- combine


@register
class Combine(Exercise):
    """``combine(first, second) -> (a, b)``: the composition of two affine steps."""

    name = "combine"
    lesson = "11"
    input_names = ("first", "second")
    read_only_inputs = ("first", "second")

    def cases(self, rng):
        cases = []
        for _ in range(3):
            batch, features = distinct_sizes(rng, 2, 2, 6)
            shape = (batch, features)
            cases.append(
                (
                    (rng.uniform(0.1, 0.9, shape), rng.normal(size=shape)),
                    (rng.uniform(0.1, 0.9, shape), rng.normal(size=shape)),
                )
            )
        return cases

    def run(self, function, case):
        result = function(*case)
        if isinstance(result, (tuple, list)):
            return {"pair": list(result), "length": len(result),
                    "kind": "tuple" if isinstance(result, tuple) else "list"}
        return {"pair": None, "value": result}

    def judge(self, case, value):
        (a1, b1), (a2, b2) = case
        a, b = combine((a1, b1), (a2, b2))
        if not isinstance(value, dict):
            raise Failure(f"expected the pair (a, b), got {describe(value)}.")
        if value.get("pair") is None:
            returned = value.get("value")
            if _close(returned, b):
                raise Failure("you returned only b: return the pair (a, b), with a = a1 * a2.")
            if _close(returned, a):
                raise Failure("you returned only a: return the pair (a, b), with b = a2 * b1 + b2.")
            raise Failure(
                "return the pair `(a, b)` as a tuple, for example `return a1 * a2, a2 * b1 + b2`;"
                f" your function returned {describe(returned)}."
            )
        length = value.get("length")
        if isinstance(length, int) and length != 2:
            kind = value.get("kind") if value.get("kind") in ("tuple", "list") else "tuple"
            raise Failure(
                f"the result should be a tuple of 2 arrays, (a, b), but it is a {kind} of "
                f"{length} item{'' if length == 1 else 's'}."
            )
        items = _items(value["pair"], 2, "the result")
        got_a, got_b = items
        if _close(got_a, b) and _close(got_b, a):
            raise Failure("the pair is in the wrong order: return (a, b), the factor first.")
        compare_arrays(
            got_a,
            a,
            [
                ("a is the product of the two factors, a1 * a2 (one step scales h after the "
                 "other), not their sum.", a1 + a2),
                ("a should be a1 * a2; you returned a1 only.", a1),
                ("a should be a1 * a2; you returned a2 only.", a2),
            ],
            what="a (the first item)",
        )
        compare_arrays(
            got_b,
            b,
            [
                ("b has the steps in the wrong order: `first` is applied first, so its b1 goes "
                 "through the later factor a2: b = a2 * b1 + b2 (you computed a1 * b2 + b1).",
                 a1 * b2 + b1),
                ("b1 is multiplied by the wrong factor: applying `second` after `first` gives "
                 "a2 * (a1 h + b1) + b2, so b = a2 * b1 + b2.", a1 * b1 + b2),
                ("b1 must pass through the second step's factor: b = a2 * b1 + b2, not b1 + b2.",
                 b1 + b2),
                ("only b1 is multiplied by a2: b = a2 * b1 + b2, not a2 * (b1 + b2).",
                 a2 * (b1 + b2)),
                ("b = a2 * b1 + b2: the factor a1 does not multiply b1 (it multiplies h only).",
                 a1 * a2 * b1 + b2),
            ],
            what="b (the second item)",
        )


def _close(got, want) -> bool:
    try:
        got = np.asarray(got, dtype=float)
        return got.shape == want.shape and bool(np.allclose(got, want, rtol=1e-3, atol=1e-6))
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------- the loop


def _loop(a, b, h0, step):
    h, states = np.array(h0, dtype=float), []
    for t in range(a.shape[1]):
        h = step(a[:, t], b[:, t], h)
        states.append(h)
    return np.stack(states, axis=1)


@register
class LinearRecurrenceLoop(Exercise):
    """``linear_recurrence_loop(a, b, h0) -> h`` (batch, time, features), step by step.

    Every draw has a case with one time step and non-zero initial states, the
    edge cases the lesson names. The inputs are read-only (the lesson says so).
    """

    name = "linear_recurrence_loop"
    lesson = "11"
    input_names = ("a", "b", "h0")
    read_only_inputs = ("a", "b", "h0")

    def cases(self, rng):
        cases = []
        # the one-step case comes last, so that a mistake is named on a longer run first
        # (with one step, "one step late" and "stops one step early" give the same states)
        for steps in (int(rng.integers(4, 9)), int(rng.integers(4, 9)), 1):
            batch, features = distinct_sizes(rng, 2, 2, 6)
            while steps in (batch, features):
                steps += 1
            shape = (batch, steps, features)
            a = rng.uniform(0.1, 0.9, shape)
            b = rng.normal(size=shape)
            h0 = rng.normal(size=(batch, features))
            cases.append((a, b, h0))
        return cases

    def judge(self, case, value):
        a, b, h0 = case
        right = linear_recurrence(a, b, h0, method="loop")
        with_h0 = np.concatenate([h0[:, None], right], axis=1)
        mistakes = [
            ("you returned only the last state; return every state h_1 ... h_T, shape "
             "(batch, time, features).", right[:, -1]),
            ("your states start with h0: return h_1 ... h_T (h0 is the state before the first "
             "step, not one of the outputs).", with_h0),
            ("your states are one step late: store h after updating it, so that row t holds "
             "a_t * h_{t-1} + b_t.", with_h0[:, :-1]),
            ("your loop stops one step early: the last row repeats h_{T-1}; run the update for "
             "every step t = 1 ... T and store h after each update.",
             np.concatenate([right[:, :-1], with_h0[:, -2:-1]], axis=1)),
            ("h0 was ignored: start the loop from h = h0, not from zeros.",
             linear_recurrence(a, b, None, method="loop")),
            ("every row holds the last state: did you store the same array and then update it "
             "in place (h *= a[:, t])? Store a copy, or write h = a[:, t] * h + b[:, t].",
             np.broadcast_to(right[:, -1:], right.shape)),
            ("a and b are swapped: the step is h_t = a_t * h_{t-1} + b_t.",
             _loop(a, b, h0, lambda a_t, b_t, h: b_t * h + a_t)),
            ("b_t is added after the multiplication: h_t = a_t * h_{t-1} + b_t, not "
             "a_t * (h_{t-1} + b_t).", _loop(a, b, h0, lambda a_t, b_t, h: a_t * (h + b_t))),
        ]
        compare_arrays(value, right, mistakes, what="the array of states")


# --------------------------------------------------------------------------- minGRU


def _min_gru(x, kernel, bias, h0, *, keras_gates=False, tanh=False, swap=False, use_bias=True,
             no_sigmoid=False, no_z_in_b=False, zero_h0=False):
    pre = x @ kernel + (bias if use_bias else 0.0)
    z_pre, h_tilde = np.split(pre, 2, axis=-1)
    if swap:
        z_pre, h_tilde = h_tilde, z_pre
    z = z_pre if no_sigmoid else sigmoid(z_pre)
    if tanh:
        h_tilde = np.tanh(h_tilde)
    a, b = (z, (1 - z) * h_tilde) if keras_gates else (1 - z, z * h_tilde)
    if no_z_in_b:
        b = h_tilde
    return linear_recurrence(a, b, None if zero_h0 else h0, method="loop")


@register
class MinGruParallel(Exercise):
    """``min_gru_parallel(x, kernel, bias, h0, scan) -> h`` (batch, time, units).

    ``run`` passes a scan (the reference ``linear_recurrence(a, b, h0,
    method="scan")``, plus a mark of 1e-5 of the size of the states, far inside
    the pass band; NumPy arrays or tensors in, a NumPy array out) and records,
    in the learner's process, how often it was called, the shapes of its first
    call's a and b, and whether the returned states are its output (they carry
    the mark): exactly one call over the whole sequence, and its result returned. Every case
    has non-zero initial states.
    """

    name = "min_gru_parallel"
    lesson = "11"
    input_names = ("x", "kernel", "bias", "h0")

    def cases(self, rng):
        cases = []
        for _ in range(3):
            batch, steps, input_dim, units = distinct_sizes(rng, 4, 2, 9)
            x = rng.normal(size=(batch, steps, input_dim))
            kernel = rng.normal(0.0, 0.8, (input_dim, 2 * units))
            bias = rng.normal(0.0, 0.5, 2 * units)
            h0 = rng.normal(size=(batch, units))
            cases.append((x, kernel, bias, h0))
        return cases

    def run(self, function, case):
        shapes, outputs = [], []

        def scan(a, b, h0=None):
            """All states of h_t = a_t * h_{t-1} + b_t by the parallel scan.

            Takes NumPy arrays or tensors (converted with ``np.asarray``);
            returns a NumPy array.
            """
            shapes.append((tuple(np.shape(a)), tuple(np.shape(b))))
            out = linear_recurrence(np.asarray(a), np.asarray(b),
                                    None if h0 is None else np.asarray(h0), method="scan")
            # A mark far below the pass band but far above float32 rounding: states
            # computed another way (a loop) miss it, a float32 copy of the result keeps it.
            out = out + np.asarray(SCAN_MARK * _size(out), dtype=out.dtype)
            outputs.append(out)
            return out

        states = function(*case, scan)
        # Measured here, in the learner's process: only plain values travel to the judge.
        return {"states": states, "scan_calls": len(shapes),
                "scan_shapes": f"{shapes[0][0]} and {shapes[0][1]}" if shapes else "",
                "scan_whole": bool(shapes) and all(
                    shape == tuple(np.shape(case[0])[:2]) + tuple(np.shape(case[3])[1:])
                    for shape in shapes[0]),
                "from_scan": _is_scan_output(states, outputs)}

    def judge(self, case, value):
        if not isinstance(value, dict):
            raise Failure(f"expected the states, got {describe(value)}.")
        x, kernel, bias, h0 = case
        right = _min_gru(x, kernel, bias, h0)
        mistakes = [
            ("you used Keras's GRU convention (a = z, b = (1 - z) * h~): in minGRU z near 1 "
             "replaces the state, so a = 1 - z and b = z * h~.",
             _min_gru(x, kernel, bias, h0, keras_gates=True)),
            ("minGRU's candidate is linear, h~ = x W_h + b_h, with no tanh.",
             _min_gru(x, kernel, bias, h0, tanh=True)),
            ("the two halves of the kernel are swapped: the first `units` columns give z, the "
             "last `units` the candidate h~.", _min_gru(x, kernel, bias, h0, swap=True)),
            ("the bias seems missing: x @ kernel + bias.",
             _min_gru(x, kernel, bias, h0, use_bias=False)),
            ("z is the sigmoid of the first half: z = sigmoid(x W_z + b_z).",
             _min_gru(x, kernel, bias, h0, no_sigmoid=True)),
            ("b = z * h~: the new candidate enters in proportion to z.",
             _min_gru(x, kernel, bias, h0, no_z_in_b=True)),
            ("h0 was ignored: pass it to the scan, scan(a, b, h0).",
             _min_gru(x, kernel, bias, h0, zero_h0=True)),
            ("you returned only the last state; return every state, shape (batch, time, units).",
             right[:, -1]),
        ]
        compare_arrays(value.get("states"), right, mistakes, what="the array of states")
        calls = value.get("scan_calls")
        if not calls:
            raise Failure(
                "the states are right, but the scan you were given was never called: compute "
                "a and b for every step at once, then all states with one call scan(a, b, h0)."
            )
        if not isinstance(calls, int) or calls != 1:
            raise Failure(
                f"the states are right, but you called scan {calls} times: call it once, with a "
                "and b for the whole sequence, shape (batch, time, units); a call per step is a "
                "loop over time again."
            )
        whole = tuple(right.shape)
        if value.get("scan_whole") is not True:
            raise Failure(
                "the states are right, but scan got a and b of shapes "
                f"{value.get('scan_shapes')}: pass the whole sequence, both of shape {whole} "
                "(batch, time, units)."
            )
        if value.get("from_scan") is not True:
            raise Failure(
                "the states are right, but they are not the array that scan returned: return "
                "scan's result (a NumPy array; a float32 copy is fine), not states computed "
                "another way."
            )


#: what the check's scan adds to every state, relative to the size of the states
SCAN_MARK = 1e-5


def _size(values) -> float:
    finite = np.abs(values[np.isfinite(values)]) if values.size else np.zeros(1)
    return float(finite.max()) if finite.size else 0.0


def _is_scan_output(states, outputs) -> bool:
    """Whether ``states`` is one of the arrays the scan returned, or a copy of it.

    The scan's result carries a mark of ``SCAN_MARK`` times the size of the
    states on every entry; states within a third of the mark of a result (a
    float32 copy is within 6e-8) came out of the scan, states computed another
    way are off by the whole mark.
    """
    if not isinstance(states, np.ndarray) or states.dtype.kind not in "fiu":
        return False
    got = states.astype(np.float64)
    for out in outputs:
        if out.shape != got.shape:
            continue
        size = _size(out)
        with np.errstate(invalid="ignore"):
            if size > 0 and np.max(np.abs(got - out)) <= SCAN_MARK * size / 3:
                return True
    return False


# --------------------------------------------------------------------------- linear attention


def _linear_attention(q, k, v, *, phi=elu_plus_one, normalise=True, exclusive=False,
                      causal=True, phi_in_state=True, transposed=False):
    phi_q, phi_k = phi(q), phi(k)
    key_in_state = phi_k if phi_in_state else k
    batch, steps, d_k = q.shape
    S = np.zeros((batch, d_k, v.shape[2]))
    z = np.zeros((batch, d_k))
    outs = []
    with np.errstate(divide="ignore", invalid="ignore"):
        if not causal:
            S = np.einsum("btk,btv->bkv", key_in_state, v)
            z = phi_k.sum(axis=1)
        for t in range(steps):
            S_used, z_used = S, z
            if causal:
                S_next = S + key_in_state[:, t, :, None] * v[:, t, None, :]
                z_next = z + phi_k[:, t]
                if not exclusive:
                    S_used, z_used = S_next, z_next
            numerator = np.einsum("bk,bkv->bv", phi_q[:, t], S_used)
            if normalise:
                numerator = numerator / np.einsum("bk,bk->b", phi_q[:, t], z_used)[:, None]
            outs.append(numerator)
            if causal:
                S, z = S_next, z_next
    S_final = np.swapaxes(S, 1, 2) if transposed else S
    return np.stack(outs, axis=1), S_final, z


def _causal_softmax(q, k, v):
    scores = q @ np.swapaxes(k, 1, 2) / np.sqrt(q.shape[-1])
    scores = np.where(np.tril(np.ones(scores.shape[1:], bool)), scores, -np.inf)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return (weights / weights.sum(axis=-1, keepdims=True)) @ v


@register
class LinearAttentionRecurrent(Exercise):
    """``linear_attention_recurrent(q, k, v) -> (outputs, S, z)``, the RNN form.

    ``outputs`` (batch, time, d_v), the final state ``S`` (batch, d_k, d_v) and
    ``z`` (batch, d_k). d_k and d_v differ in every case, so that a transposed
    S shows in its shape.
    """

    name = "linear_attention_recurrent"
    lesson = "11"
    input_names = ("q", "k", "v")
    read_only_inputs = ("q", "k", "v")

    def cases(self, rng):
        cases = []
        for _ in range(3):
            batch, steps, d_k, d_v = distinct_sizes(rng, 4, 2, 8)
            cases.append(
                (
                    rng.normal(size=(batch, steps, d_k)),
                    rng.normal(size=(batch, steps, d_k)),
                    rng.normal(size=(batch, steps, d_v)),
                )
            )
        return cases

    def run(self, function, case):
        result = function(*case)
        if isinstance(result, (tuple, list)):
            return {"items": list(result)}
        return {"items": None, "value": result}

    def judge(self, case, value):
        q, k, v = case
        right = linear_attention_recurrent(q, k, v)
        _, S, z = _linear_attention(q, k, v)
        if not isinstance(value, dict):
            raise Failure(f"expected (outputs, S, z), got {describe(value)}.")
        if value.get("items") is None:
            returned = value.get("value")
            compare_arrays(returned, right, [], what="the array of outputs")
            raise Failure(
                "the outputs are right; return the final state too: `return outputs, S, z`, "
                "with S of shape (batch, d_k, d_v) and z of shape (batch, d_k)."
            )
        items = value["items"]
        if not isinstance(items, list) or len(items) != 3:
            raise Failure(
                "return three things, `outputs, S, z`; your function returned "
                f"{describe(items)}."
            )
        expected_shapes = [right.shape, S.shape, z.shape]
        shapes = [getattr(item, "shape", None) for item in items]
        if shapes != expected_shapes and sorted(map(str, shapes)) == sorted(
                map(str, expected_shapes)):
            raise Failure(
                "the three arrays are in the wrong order: return `outputs, S, z` (shapes "
                f"{right.shape}, {S.shape} and {z.shape}); yours have shapes "
                f"{', '.join(str(s) for s in shapes)}."
            )
        outputs, got_S, got_z = items
        relu = lambda a: np.maximum(a, 0.0)  # noqa: E731
        exclusive = ("step t must see its own key and value: update S and z with step t before "
                     "computing o_t (you used S_{t-1}).")
        before = _linear_attention(q, k, v, exclusive=True)[0]
        mistakes = [
            ("the outputs are not normalised: divide phi(q_t) S_t by phi(q_t) . z_t.",
             _linear_attention(q, k, v, normalise=False)[0]),
            ("no feature map: apply phi(x) = elu(x) + 1 to the queries and the keys.",
             _linear_attention(q, k, v, phi=lambda a: a)[0]),
            ("the feature map is phi(x) = elu(x) + 1 (x + 1 above 0, exp(x) below), not "
             "relu.", _linear_attention(q, k, v, phi=relu)[0]),
            (exclusive, before),
            (exclusive, np.nan_to_num(before, nan=0.0)),  # a guarded 0 / 0 at t = 1
            ("the attention is not causal: o_t may use the keys and values up to step t only "
             "(you used all of them).", _linear_attention(q, k, v, causal=False)[0]),
            ("S should add phi(k_t) v_t^T: apply the feature map to the key in S as well.",
             _linear_attention(q, k, v, phi_in_state=False)[0]),
            ("this is causal softmax attention; linear attention replaces exp(q.k) by "
             "phi(q) . phi(k) with phi(x) = elu(x) + 1.", _causal_softmax(q, k, v)),
            ("linear attention has no 1/sqrt(d_k) scaling: the scores are phi(q_t) . phi(k_s) "
             "of the unscaled queries.", _linear_attention(q / np.sqrt(q.shape[-1]), k, v)[0]),
        ]
        compare_arrays(outputs, right, mistakes, what="the array of outputs")
        compare_arrays(
            got_S,
            S,
            [
                ("S looks transposed: S_t = S_{t-1} + phi(k_t) v_t^T has shape "
                 "(batch, d_k, d_v).", np.swapaxes(S, 1, 2)),
                ("S should add phi(k_t) v_t^T: apply the feature map to the key in S.",
                 _linear_attention(q, k, v, phi_in_state=False)[1]),
            ],
            what="the final state S",
        )
        compare_arrays(
            got_z,
            z,
            [("z is the sum of phi(k_t), not of k_t.", k.sum(axis=1))],
            what="the final normaliser z",
        )

