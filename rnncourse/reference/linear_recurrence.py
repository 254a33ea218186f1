r"""Linear recurrences in NumPy: the loop, the parallel scan, the closed form and log space.

A *linear recurrence* (element-wise, one per feature) is

.. math::

    h_t = a_t \odot h_{t-1} + b_t, \qquad t = 1, \dots, T,

with ``a`` and ``b`` of shape (batch, time, features) and the initial state
``h0`` of shape (batch, features) (zeros when omitted). The classic cells of
lessons 01-04 are not of this form: their :math:`h_{t-1}` sits inside a tanh
and inside the gates, so step t cannot start before step t-1 has ended. When
the gates and the candidate depend on :math:`x_t` only, as in minGRU and
minLSTM (Feng et al., 2024, "Were RNNs All We Needed?", arXiv:2410.01201),
the recurrence is linear in h and can be computed in parallel.

**Why a scan works.** One step is the affine map :math:`h \mapsto a h + b`,
written as the pair (a, b). Doing step 1 then step 2 is again an affine map,

.. math::

    (a_1, b_1) \circ (a_2, b_2) = (a_1 a_2,\; a_2 b_1 + b_2),

and composing maps is associative, so all the prefixes
:math:`(a_1, b_1) \circ \dots \circ (a_t, b_t) = (a_1 \cdots a_t,\; h_t)`
(for :math:`h_0 = 0`) come out of a *parallel prefix scan* (Blelloch, 1990,
"Prefix sums and their applications") in :math:`O(\log T)` sequential
rounds and :math:`O(T)` work, instead of T sequential steps. A non-zero
:math:`h_0` is folded into the first step: :math:`b_1 \leftarrow a_1 h_0 + b_1`.

**Why log space.** The closed form
:math:`h_t = A_t \big(h_0 + \sum_{k \le t} b_k / A_k\big)` with
:math:`A_t = a_1 \cdots a_t` needs no scan at all, only ``cumprod`` and
``cumsum``, but :math:`A_t` underflows: with :math:`a_t = 0.5` in float32 it
is exactly 0 after 150 steps (:math:`2^{-149}` is the smallest float32), and
:math:`b_k / A_k` overflows. For positive ``a`` and ``b`` the recurrence can
be run on logarithms instead (Heinsen, 2023, "Efficient parallelization of a
ubiquitous sequential computation", arXiv:2311.06281; used by minGRU's
paper):

.. math::

    \log h_t = \operatorname{logaddexp}(\log a_t + \log h_{t-1},\; \log b_t),

whose pairs combine as
:math:`(\alpha_1, \beta_1) \circ (\alpha_2, \beta_2) = (\alpha_1 + \alpha_2,\;
\operatorname{logaddexp}(\alpha_2 + \beta_1, \beta_2))`: the products
become sums, which neither underflow nor overflow.

The Keras version, for models and for speed, is
:func:`rnncourse.layers.linear_recurrence`.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "LINEAR_RECURRENCE_METHODS",
    "associative_scan",
    "combine",
    "linear_recurrence",
    "log_combine",
    "log_linear_recurrence",
]

#: The ``method`` values :func:`linear_recurrence` accepts.
LINEAR_RECURRENCE_METHODS = ("loop", "scan", "cumprod")


def combine(first, second):
    r"""Compose two steps: ``(a1, b1) o (a2, b2) = (a1 * a2, a2 * b1 + b2)``.

    ``first`` is the earlier step (or block of steps) and ``second`` the later
    one; each is a pair of arrays of the same shape. The result maps
    :math:`h` to :math:`a_2 (a_1 h + b_1) + b_2`. The operation is
    associative but not commutative: the order of the two steps matters.
    """
    a1, b1 = first
    a2, b2 = second
    return a1 * a2, a2 * b1 + b2


def log_combine(first, second):
    r""":func:`combine` on logarithms: ``(α1 + α2, logaddexp(α2 + β1, β2))``.

    With ``(α, β) = (log a, log b)`` for positive a and b, the result is the
    logarithm of ``combine((a1, b1), (a2, b2))``.
    """
    alpha1, beta1 = first
    alpha2, beta2 = second
    return alpha1 + alpha2, np.logaddexp(alpha2 + beta1, beta2)


def associative_scan(fn, elems, axis: int = 1):
    r"""All prefixes ``x_1, x_1 o x_2, x_1 o x_2 o x_3, ...`` of ``elems`` along ``axis``.

    ``fn(earlier, later)`` is an associative operation on tuples of arrays
    (such as :func:`combine`); ``elems`` is a tuple of arrays with the same
    length along ``axis``. The algorithm is the recursive odd-even scan that
    ``keras.ops.associative_scan`` (and ``jax.lax.associative_scan``) use:

    1. combine neighbours, :math:`y_k = x_{2k} \circ x_{2k+1}` (T/2 calls, in
       parallel);
    2. scan the :math:`y` recursively: this gives every prefix that ends at an
       odd position (0-based);
    3. each prefix ending at an even position 2k > 0 is the prefix ending at
       2k - 1 combined with :math:`x_{2k}` (in parallel).

    Each level halves the length, so there are about :math:`2 \log_2 T`
    rounds, each a few vectorised operations, and about 2T calls of ``fn`` in
    all.
    """
    elems = tuple(np.asarray(e) for e in elems)
    n = elems[0].shape[axis]
    if n < 2:
        return elems

    def take(e, start, stop=None, step=1):
        index = [slice(None)] * e.ndim
        index[axis] = slice(start, stop, step)
        return e[tuple(index)]

    pairs = fn(tuple(take(e, 0, n - 1, 2) for e in elems),
               tuple(take(e, 1, None, 2) for e in elems))
    odd = associative_scan(fn, pairs, axis=axis)
    before_even = odd if n % 2 else tuple(take(o, 0, -1) for o in odd)
    even_rest = fn(before_even, tuple(take(e, 2, None, 2) for e in elems))
    out = []
    for e, o, er in zip(elems, odd, even_rest):
        result = np.empty(np.broadcast_shapes(e.shape), dtype=np.result_type(o, er))
        index_even = [slice(None)] * e.ndim
        index_odd = [slice(None)] * e.ndim
        index_even[axis] = slice(0, None, 2)
        index_odd[axis] = slice(1, None, 2)
        result[tuple(index_even)] = np.concatenate([take(e, 0, 1), er], axis=axis)
        result[tuple(index_odd)] = o
        out.append(result)
    return tuple(out)


def _check_method(method, allowed):
    if not isinstance(method, str) or method not in allowed:
        raise ValueError(
            f"method should be one of {', '.join(repr(m) for m in allowed)}; got {method!r}"
        )


def _check_pair(names, first, second, h0):
    """Arrays for (a, b, h0), checked: a and b (batch, time, features), h0 (batch, features)."""
    first, second = np.asarray(first), np.asarray(second)
    for name, value in zip(names[:2], (first, second)):
        if value.ndim != 3:
            raise ValueError(
                f"{name} should have shape (batch, time, features), got shape {value.shape}"
            )
    if first.shape != second.shape:
        raise ValueError(
            f"{names[0]} and {names[1]} should have the same shape (batch, time, features); "
            f"got {names[0]} {first.shape} and {names[1]} {second.shape}"
        )
    if h0 is not None:
        h0 = np.asarray(h0)
        expected = (first.shape[0], first.shape[2])
        if h0.shape != expected:
            raise ValueError(
                f"{names[2]} should have shape (batch, features) = {expected} to go with "
                f"{names[0]} {first.shape}, got shape {h0.shape}"
            )
    return first, second, h0


def linear_recurrence(a, b, h0=None, method: str = "loop"):
    r"""All states of :math:`h_t = a_t h_{t-1} + b_t`, shape (batch, time, features).

    ``a`` and ``b`` have shape (batch, time, features); ``h0`` (batch,
    features) is the state before the first step, zeros if ``None``. Row
    ``h[:, t]`` is the state after step t (0-based), so ``h[:, 0] = a[:, 0] *
    h0 + b[:, 0]``. ``method``:

    * ``"loop"``: T sequential steps (the definition);
    * ``"scan"``: the parallel prefix scan of the pairs (a_t, b_t) under
      :func:`combine` (:func:`associative_scan`), O(log T) rounds;
    * ``"cumprod"``: the closed form
      :math:`h_t = A_t (h_0 + \sum_{k \le t} b_k / A_k)`,
      :math:`A_t = \prod_{k \le t} a_k`. Loop-free but numerically unsafe:
      it divides by products that underflow (and by a_t = 0); it is here to
      show why log space is needed (:func:`log_linear_recurrence`).

    The result has the dtype NumPy gives ``a * h0 + b``.
    """
    _check_method(method, LINEAR_RECURRENCE_METHODS)
    a, b, h0 = _check_pair(("a", "b", "h0"), a, b, h0)
    dtype = np.result_type(a, b, h0) if h0 is not None else np.result_type(a, b)
    if h0 is None:
        h0 = np.zeros((a.shape[0], a.shape[2]), dtype=dtype)
    if method == "loop":
        h_all = np.zeros(a.shape, dtype=dtype)
        h = h0.astype(dtype)
        for t in range(a.shape[1]):
            h = a[:, t] * h + b[:, t]
            h_all[:, t] = h
        return h_all
    if method == "scan":
        b = b.astype(dtype, copy=True)
        if b.shape[1]:
            b[:, 0] = a[:, 0] * h0 + b[:, 0]
        return associative_scan(combine, (a.astype(dtype), b), axis=1)[1]
    # the closed form: a product, a quotient and a running sum
    with np.errstate(divide="ignore", over="ignore", invalid="ignore", under="ignore"):
        products = np.cumprod(a.astype(dtype), axis=1)
        return products * (h0[:, None, :] + np.cumsum(b / products, axis=1))


def log_linear_recurrence(log_a, log_b, log_h0=None, method: str = "loop"):
    r"""The recurrence :math:`h_t = a_t h_{t-1} + b_t` on logarithms; returns :math:`\log h`.

    For positive ``a`` and ``b``, pass ``log_a = log(a)`` and ``log_b =
    log(b)`` (shape (batch, time, features)) and ``log_h0 = log(h0)`` (batch,
    features), or ``None`` for :math:`h_0 = 0` (``-inf`` works too). Returns
    :math:`\log h_t` for every t, shape (batch, time, features):

    .. math::

        \log h_t = \operatorname{logaddexp}(\log a_t + \log h_{t-1},\; \log b_t).

    ``method="loop"`` runs the steps in order; ``"scan"`` is the parallel
    scan under :func:`log_combine`. No product is ever formed, so long runs
    of small :math:`a_t` neither underflow nor lose precision (Heinsen, 2023;
    Feng et al., 2024). ``-inf`` entries (a or b equal to 0) are allowed.
    """
    _check_method(method, ("loop", "scan"))
    log_a, log_b, log_h0 = _check_pair(("log_a", "log_b", "log_h0"), log_a, log_b, log_h0)
    dtype = np.result_type(log_a, log_b, log_h0 if log_h0 is not None else log_b)
    if log_h0 is None:
        log_h0 = np.full((log_a.shape[0], log_a.shape[2]), -np.inf, dtype=dtype)
    with np.errstate(invalid="ignore"):
        if method == "loop":
            out = np.zeros(log_a.shape, dtype=dtype)
            log_h = log_h0.astype(dtype)
            for t in range(log_a.shape[1]):
                log_h = np.logaddexp(log_a[:, t] + log_h, log_b[:, t])
                out[:, t] = log_h
            return out
        log_b = log_b.astype(dtype, copy=True)
        if log_b.shape[1]:
            log_b[:, 0] = np.logaddexp(log_a[:, 0] + log_h0, log_b[:, 0])
        return associative_scan(log_combine, (log_a.astype(dtype), log_b), axis=1)[1]
