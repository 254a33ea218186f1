"""Checks for lesson 02: backpropagation through time.

The expected values come from the package's references
(:func:`rnncourse.reference.rnn_backward`, :func:`rnncourse.data.batch_stream`);
each wrong answer listed here differs from the right one in a single term,
so that a match names the mistake.
"""

from __future__ import annotations

import numpy as np

from rnncourse.checks.core import Failure, compare_arrays, describe, distinct_sizes
from rnncourse.checks.exercise import Exercise, register
from rnncourse.data.text import batch_stream as ref_batch_stream
from rnncourse.reference.simple_rnn import rnn_backward as ref_backward
from rnncourse.reference.simple_rnn import rnn_forward as ref_forward

GRADIENT_NAMES = ("dW_xh", "dW_hh", "db_h", "dh0")


def _rnn_case(rng: np.random.Generator, batch: int, steps: int, input_dim: int, units: int):
    """``(dh_all, x, h0, h_all, W_xh, W_hh)``: a forward pass and a random upstream gradient."""
    W_xh = rng.normal(0.0, 0.6, size=(input_dim, units))
    W_hh = rng.normal(0.0, 0.6, size=(units, units))
    b_h = rng.normal(0.0, 0.5, size=units)
    x = rng.normal(size=(batch, steps, input_dim))
    h0 = rng.uniform(-0.9, 0.9, size=(batch, units))
    h_all = ref_forward(x, h0, W_xh, W_hh, b_h)
    dh_all = rng.normal(size=h_all.shape)
    return dh_all, x, h0, h_all, W_xh, W_hh


def _reference_gradients(dh_all, x, h0, h_all, W_xh, W_hh):
    grads = ref_backward(dh_all, x, h0, h_all, W_xh, W_hh)
    return grads["W_xh"], grads["W_hh"], grads["b_h"], grads["h0"]


def _bptt_variant(dh_all, x, h0, h_all, W_xh, W_hh, *, tanh_grad="right", h_prev="right",
                  carry=True, keep="sum", backward_matrix="right", dh0="right"):
    """BPTT with one term changed, to name the mistake a learner's answer matches.

    ``tanh_grad``: "right" (1 - h_t^2), "none", "previous" (1 - h_{t-1}^2) or
    "tanh_again" (1 - tanh(h_t)^2); ``h_prev``: "right", "current" (h_t in
    dW_hh) or "wrap" (h_all[:, t-1] at t = 0 too, which wraps round to h_T);
    ``carry``: add the gradient from step t+1; ``keep``: "sum", "first" (only
    t = 0's term, as ``=`` instead of ``+=`` in a backward loop leaves) or
    "last" (only t = T-1's); ``backward_matrix``: "right" (W_hh^T) or
    "transposed" (W_hh); ``dh0``: "right" or "h1" (the total gradient at h_1).
    """
    batch, steps, units = h_all.shape
    grads = [np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros(units), None]
    back = W_hh.T if backward_matrix == "right" else W_hh
    flowing = np.zeros((batch, units))
    dh_first = None
    for t in reversed(range(steps)):
        dh = dh_all[:, t] + (flowing if carry else 0.0)
        dh_first = dh
        previous = h_all[:, t - 1] if t > 0 else h0
        if h_prev == "current":
            used_prev = h_all[:, t]
        elif h_prev == "wrap":
            used_prev = h_all[:, t - 1]
        else:
            used_prev = previous
        if tanh_grad == "none":
            da = dh
        elif tanh_grad == "previous":
            da = dh * (1.0 - previous ** 2)
        elif tanh_grad == "tanh_again":
            da = dh * (1.0 - np.tanh(h_all[:, t]) ** 2)
        else:
            da = dh * (1.0 - h_all[:, t] ** 2)
        terms = [x[:, t].T @ da, used_prev.T @ da, da.sum(axis=0)]
        for i, term in enumerate(terms):
            if keep == "sum" or (keep == "first" and t == 0) or (keep == "last" and t == steps - 1):
                grads[i] = grads[i] + term
        flowing = da @ back
    grads[3] = dh_first if dh0 == "h1" else flowing
    return tuple(grads)


BPTT_MISTAKES = [
    ({"tanh_grad": "none"},
     "the tanh derivative seems missing: multiply the incoming gradient by (1 - h_t**2) "
     "before using it for the weights and passing it back."),
    ({"tanh_grad": "previous"},
     "the tanh derivative uses the wrong state: step t's derivative is (1 - h_t**2), with "
     "the state that step produced, not (1 - h_{t-1}**2)."),
    ({"tanh_grad": "tanh_again"},
     "you applied tanh to h_t in the derivative: h_t is already tanh(a_t), so the "
     "derivative is 1 - h_t**2, not 1 - tanh(h_t)**2."),
    ({"h_prev": "current"},
     "dW_hh uses h_t where it needs h_{t-1}: W_hh multiplies the PREVIOUS state, so its "
     "per-step gradient is h_{t-1}.T @ da_t."),
    ({"h_prev": "wrap"},
     "off by one at t = 0: h_all[:, t-1] with t = 0 is h_all[:, -1], the LAST state. The "
     "state before the first step is h0."),
    ({"carry": False},
     "the gradient flowing back from the next step is not accumulated: the total "
     "gradient at h_t is dh_all[:, t] plus what step t+1 sends back (da_{t+1} @ W_hh.T)."),
    ({"keep": "first"},
     "your weight gradients hold only one step's copy (the one of t = 0, the last the "
     "backward loop visits): the shared weights get the SUM of every step's copy (use +=)."),
    ({"keep": "last"},
     "your weight gradients hold only the last time step's copy: the shared weights get "
     "the SUM over every step's copy."),
    ({"backward_matrix": "transposed"},
     "W_hh is transposed in the backward product: the gradient sent to h_{t-1} is "
     "da_t @ W_hh.T (the forward pass computed h_{t-1} @ W_hh)."),
    ({"dh0": "h1"},
     "dh0 is off by one step: you returned the total gradient at h_1. Pass it back "
     "through the first step too: dh0 = da_1 @ W_hh.T."),
]


def _bptt_mistakes(case):
    return [(message, _bptt_variant(*case, **options)) for options, message in BPTT_MISTAKES]


def _as_parts(value, count: int, what: str, names: tuple[str, ...]):
    """The ``count`` arrays of a returned tuple, or Failure saying what came back instead."""
    if isinstance(value, np.ndarray) and value.dtype != object and value.ndim >= 1 \
            and value.shape[0] == count:
        return list(value)
    if isinstance(value, (list, tuple)) and len(value) == count:
        return list(value)
    if value is None:
        raise Failure(f"{what} returned None: did you forget the `return` statement?")
    raise Failure(
        f"{what} should return a tuple of {count} arrays ({', '.join(names)}); "
        f"it returned {describe(value)}."
    )


def _matches(got, want) -> bool:
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return got.shape == np.shape(want) and bool(np.allclose(got, want, rtol=1e-4, atol=1e-6))


def _compare_parts(parts, right, mistakes, names):
    if not all(_matches(p, r) for p, r in zip(parts, right)):
        # every part right, but in another order: name the order
        order = []
        for part in parts:
            found = [j for j, r in enumerate(right) if j not in order and _matches(part, r)]
            if not found:
                break
            order.append(found[0])
        if len(order) == len(names) and order != list(range(len(names))):
            raise Failure(
                f"your values are right but in the wrong order: you returned "
                f"({', '.join(names[j] for j in order)}); return ({', '.join(names)})."
            )
    for i, name in enumerate(names):
        compare_arrays(parts[i], right[i], [(message, wrong[i]) for message, wrong in mistakes],
                       what=name)



@register
class BpttBackward(Exercise):
    """``bptt_backward(dh_all, x, h0, h_all, W_xh, W_hh) -> (dW_xh, dW_hh, db_h, dh0)``."""

    name = "bptt_backward"
    lesson = "02"
    # the text does not forbid reusing the inputs (accumulating into dh_all is fine)
    input_names = ("dh_all", "x", "h0", "h_all", "W_xh", "W_hh")
    read_only_inputs = ()

    def cases(self, rng):
        cases = []
        for _ in range(3):
            batch, steps, input_dim, units = distinct_sizes(rng, 4, 2, 8)
            cases.append(_rnn_case(rng, batch, max(steps, 3), input_dim, units))
        return cases

    def judge(self, case, value):
        parts = _as_parts(value, 4, "bptt_backward", GRADIENT_NAMES)
        _compare_parts(parts, _reference_gradients(*case), _bptt_mistakes(case), GRADIENT_NAMES)


# --------------------------------------------------------------------------- stream batching


def _stream_mistakes(ids, batch_size, window):
    right = ref_batch_stream(ids, batch_size, window)
    n_windows = right.inputs.shape[0]
    used = batch_size * n_windows * window
    pairs = []

    def add(message, inputs, targets):
        pairs.append((message, np.asarray(inputs), np.asarray(targets)))

    add("your targets are not shifted: the target window is the input window moved one "
        "step along the stream (targets = ids[1:], inputs = ids[:-1]).",
        right.inputs, right.inputs)
    shape = (batch_size, n_windows, window)
    add("inputs and targets are swapped: the inputs start at s[0], the targets at s[1].",
        right.targets, right.inputs)
    # columns interleaved: column b holds s[b], s[b+B], s[b+2B], ...
    inter_x = ids[:used].reshape(n_windows * window, batch_size).T
    inter_y = ids[1:used + 1].reshape(n_windows * window, batch_size).T
    inter_x = inter_x.reshape(shape).transpose(1, 0, 2)
    inter_y = inter_y.reshape(shape).transpose(1, 0, 2)
    add("your columns are interleaved (column b holds s[b], s[b+B], s[b+2B], ...): each "
        "column must be a CONTIGUOUS piece of the stream, of n_windows * window steps.",
        inter_x, inter_y)
    # windows dealt out round-robin: window w row b is chunk w*B + b of the stream
    flat_shape = (n_windows, batch_size, window)
    add("consecutive windows of a row do not continue each other: you cut the stream into "
        "windows and dealt them out to the rows in turn. Cut it into B contiguous columns "
        "FIRST, then cut each column into windows, so that row b of window w+1 continues row "
        "b of window w.", ids[:used].reshape(flat_shape), ids[1:used + 1].reshape(flat_shape))
    # windows overlapping: each window starts one step after the previous window's last input
    starts = np.arange(n_windows) * (window - 1)
    column = n_windows * window
    over_x = np.stack([np.stack([ids[b * column + s: b * column + s + window]
                                 for b in range(batch_size)]) for s in starts])
    over_y = np.stack([np.stack([ids[b * column + s + 1: b * column + s + window + 1]
                                 for b in range(batch_size)]) for s in starts])
    add("your windows overlap: window w+1 must start where window w's inputs end (at step "
        "(w+1) * window of the column), not at its last input.", over_x, over_y)
    # axes (B, n_windows, T) instead of (n_windows, B, T)
    add("your arrays are (B, n_windows, window); the course's layout is (n_windows, B, "
        "window), so that inputs[w] is one batch: transpose the first two axes.",
        right.inputs.transpose(1, 0, 2), right.targets.transpose(1, 0, 2))
    return pairs


def _windows_count(rng: np.random.Generator, batch_size: int) -> int:
    """3 to 5 windows, never as many as rows: with n_windows == batch_size the (B, n_windows,
    window) layout holds the same numbers as windows dealt out in turn, and the two mistakes
    could not be told apart."""
    return int(rng.choice([n for n in (3, 4, 5) if n != batch_size]))


@register
class StreamToWindows(Exercise):
    """``stream_to_windows(ids, batch_size, window) -> (inputs, targets)``."""

    name = "stream_to_windows"
    lesson = "02"
    input_names = ("ids", "batch_size", "window")
    read_only_inputs = ()

    def cases(self, rng):
        cases = []
        for _ in range(2):
            batch_size, window = distinct_sizes(rng, 2, 2, 6)
            n_windows = _windows_count(rng, batch_size)
            length = batch_size * window * n_windows + int(rng.integers(2, batch_size * window))
            cases.append((rng.integers(0, 1000, size=length), batch_size, window))
        # a stream that fits exactly, with one id to spare for the last target
        batch_size, window = distinct_sizes(rng, 2, 2, 6)
        length = batch_size * window * _windows_count(rng, batch_size) + 1
        cases.append((rng.integers(0, 1000, size=length), batch_size, window))
        # The edge case the text warns about, in every draw and last (so that an answer that
        # fails everywhere gets its own message first): a stream whose length is an exact
        # multiple of batch_size * window. Its last id has no target, so one window fewer
        # fits; without the "- 1" the count is one too many.
        batch_size, window = distinct_sizes(rng, 2, 2, 6)
        length = batch_size * window * _windows_count(rng, batch_size)
        cases.append((rng.integers(0, 1000, size=length), batch_size, window))
        return cases

    def run(self, function, case):
        ids, batch_size, window = case
        exact = len(ids) % (batch_size * window) == 0
        try:
            result = function(ids, batch_size, window)
        except ValueError as exc:  # a reshape that does not fit: one window too many
            if not exact:
                raise
            # name the mistake the text warns about instead of a bare reshape error
            return {"pair": False, "raised": f"{type(exc).__name__}: {exc}"[:200]}
        if isinstance(result, (tuple, list)) and len(result) == 2:
            return {"pair": True, "inputs": result[0], "targets": result[1]}
        return {"pair": False, "value": result}

    def judge(self, case, value):
        ids, batch_size, window = case
        if isinstance(value, dict) and value.get("raised"):
            raise Failure(
                f"your function raised {value['raised']} on a stream of {len(ids)} ids, an exact "
                f"multiple of batch_size * window = {batch_size * window} (the other streams "
                "passed). Mind the \"- 1\": the last input needs a target after it, so "
                "n_windows = (len(ids) - 1) // (batch_size * window), one window fewer here."
            )
        if not isinstance(value, dict) or not value.get("pair"):
            got = value.get("value") if isinstance(value, dict) else value
            raise Failure("stream_to_windows should return a pair (inputs, targets); it "
                          f"returned {describe(got)}.")
        right = ref_batch_stream(ids, batch_size, window)
        mistakes = _stream_mistakes(ids, batch_size, window)
        got = (value.get("inputs"), value.get("targets"))
        for index, what in enumerate(("the inputs", "the targets")):
            got_index = got[index]
            if isinstance(got_index, np.ndarray) and isinstance(right[index], np.ndarray) \
                    and got_index.ndim == 3 and got_index.shape[1:] == right[index].shape[1:] \
                    and got_index.shape[0] == right[index].shape[0] + 1:
                raise Failure(
                    f"{what} have one window too many ({got_index.shape[0]}, expected "
                    f"{right[index].shape[0]}) for a stream of {len(ids)} ids and "
                    f"batch_size * window = {batch_size * window}. Mind the \"- 1\": the last "
                    "input needs a target after it, so n_windows = (len(ids) - 1) // "
                    "(batch_size * window).")
            # integer ids: equality is exact, whatever the dtype
            compare_arrays(got_index, right[index],
                           [(message, wrong[index]) for message, *wrong in mistakes],
                           what=what, rtol=0, atol=0)


# --------------------------------------------------------------------------- truncated BPTT

WEIGHT_GRADIENT_NAMES = GRADIENT_NAMES[:3]


def _truncated_variant(dh_all, x, h0, h_all, W_xh, W_hh, window, *, start="right",
                       keep="all"):
    """Truncated BPTT with one term changed (see :class:`TruncatedBpttGradients`).

    ``start``: each window's initial state, "right" (the state carried from the
    previous window), "h0" (h0 for every window), "zeros", or "first_of_window"
    (h_all[:, s], one step late), "all_zeros" (zeros even before the first window),
    "wrap" (h_all[:, s-1] for the first window too, which is h_all[:, -1]);
    ``keep``: "all" windows, "first" or "last".
    """
    steps = h_all.shape[1]
    starts = list(range(0, steps, window))
    if keep == "first":
        starts = starts[:1]
    elif keep == "last":
        starts = starts[-1:]
    total = [np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros(W_hh.shape[0])]
    for s in starts:
        span = slice(s, s + window)
        if start == "all_zeros":
            h_start = np.zeros_like(h0)
        elif start == "wrap":  # h_all[:, s-1] everywhere: at s = 0 that is the LAST state
            h_start = h_all[:, s - 1]
        elif start == "h0" or s == 0:
            h_start = h0
        elif start == "zeros":
            h_start = np.zeros_like(h0)
        elif start == "first_of_window":
            h_start = h_all[:, s]
        else:
            h_start = h_all[:, s - 1]
        grads = ref_backward(dh_all[:, span], x[:, span], h_start, h_all[:, span], W_xh, W_hh)
        total = [total[0] + grads["W_xh"], total[1] + grads["W_hh"], total[2] + grads["b_h"]]
    return tuple(total)


def _truncated_mistakes(case):
    dh_all, x, h0, h_all, W_xh, W_hh, window = case
    full = _reference_gradients(dh_all, x, h0, h_all, W_xh, W_hh)[:3]
    return [
        ("your gradients equal full BPTT over the whole sequence: stop the gradient at every "
         "window border (run the backward pass on each window separately).", full),
        ("each window's backward pass starts from h0: the state before window w is the last "
         "state of window w-1 (h_all[:, s-1]), carried forward; only the first window starts "
         "from h0.", _truncated_variant(*case, start="h0")),
        ("each window's backward pass starts from zeros: the state before window w is the last "
         "state of window w-1 (h_all[:, s-1]), and before the first window it is h0.",
         _truncated_variant(*case, start="zeros")),
        ("every window's backward pass starts from zeros: the state before window w is the "
         "last state of window w-1 (h_all[:, s-1]), and before the first window it is h0.",
         _truncated_variant(*case, start="all_zeros")),
        ("the first window starts from the wrong state: h_all[:, s-1] with s = 0 is "
         "h_all[:, -1], the LAST state of the sequence. The state before the first window is "
         "h0.", _truncated_variant(*case, start="wrap")),
        ("off by one: the state before the window starting at step s is h_all[:, s-1], not "
         "h_all[:, s] (which is the state AFTER the window's first step).",
         _truncated_variant(*case, start="first_of_window")),
        ("you kept only the first window's gradient: add up the gradients of every window.",
         _truncated_variant(*case, keep="first")),
        ("you kept only the last window's gradient: add up the gradients of every window.",
         _truncated_variant(*case, keep="last")),
    ]


@register
class TruncatedBpttGradients(Exercise):
    """``truncated_bptt_gradients(dh_all, x, h0, h_all, W_xh, W_hh, window)``.

    Returns ``(dW_xh, dW_hh, db_h)``, summed over windows, the gradient stopped at borders.
    """

    name = "truncated_bptt_gradients"
    lesson = "02"
    input_names = ("dh_all", "x", "h0", "h_all", "W_xh", "W_hh", "window")
    read_only_inputs = ()

    def cases(self, rng):
        cases = []
        for window, steps in [(int(rng.integers(2, 4)), int(rng.integers(9, 12))),
                              (int(rng.integers(4, 6)), int(rng.integers(12, 15))),
                              (3, 9)]:
            batch, input_dim, units = distinct_sizes(rng, 3, 2, 6)
            cases.append((*_rnn_case(rng, batch, steps, input_dim, units), window))
        return cases

    def judge(self, case, value):
        parts = _as_parts(value, 3, "truncated_bptt_gradients", WEIGHT_GRADIENT_NAMES)
        right = _truncated_variant(*case)
        _compare_parts(parts, right, _truncated_mistakes(case), WEIGHT_GRADIENT_NAMES)
