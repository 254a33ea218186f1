r"""Linear recurrences, minGRU and minLSTM with ``keras.ops`` (any Keras backend).

:func:`linear_recurrence` computes every state of :math:`h_t = a_t h_{t-1} + b_t`
(element-wise; ``a``, ``b`` of shape (batch, time, features)) either with a
step loop or with a parallel prefix scan over the pairs :math:`(a_t, b_t)`
under the associative operation

.. math::

    (a_1, b_1) \circ (a_2, b_2) = (a_1 a_2,\; a_2 b_1 + b_2)

(Blelloch, 1990). :func:`log_linear_recurrence` does the same on logarithms
for positive coefficients (Heinsen, 2023), where long products of small
:math:`a_t` would underflow. The NumPy reference, with the derivation, is
:mod:`rnncourse.reference.linear_recurrence`.

:class:`MinGRU` and :class:`MinLSTM` are the layers of Feng et al. (2024),
"Were RNNs All We Needed?" (arXiv:2410.01201): their gates and candidate
depend on :math:`x_t` only, so a whole sequence is one linear recurrence and
runs through the scan, while :meth:`MinGRU.step` runs one step at a time for
generation.

**Which scan.** ``method="scan"`` (the default) runs :func:`odd_even_scan`,
this module's ``keras.ops`` copy of the recursive odd-even algorithm that
``keras.ops.associative_scan`` implements; ``method="keras_scan"`` calls
``keras.ops.associative_scan`` itself. On the TensorFlow backend they cost the
same (``tools/bench_scan.py``), but Keras's version

* recurses without end inside a ``tf.function`` (so in ``model.fit`` and
  ``model.predict``) and on a time axis of length 1 in Keras 3.13
  (keras-team/keras issues 22058 and 22050, fixed in 3.14;
  :data:`KERAS_SCAN_WORKS` is False there);
* does not compile with XLA (``jit_compile=True``, which ``model.fit`` turns
  on by itself on a machine with a GPU): its ``tf.cond`` branches fail to
  convert (Keras 3.15); layers built with ``method="keras_scan"`` therefore
  declare ``supports_jit = False``;
* loses the static shape of its result in a graph (restored here).

The own scan works in all three cases. Neither accepts a time axis whose
length is unknown when the graph is traced (the recursion runs in Python), so
then the scan methods run the loop. Inputs of a fixed length, as
``model.fit`` and ``model.predict`` get them from NumPy arrays, have a known
length.
"""

from __future__ import annotations

from rnncourse.environment import import_keras_quietly

keras = import_keras_quietly()
ops = keras.ops

__all__ = [
    "KERAS_SCAN_WORKS",
    "LINEAR_RECURRENCE_METHODS",
    "MinGRU",
    "MinLSTM",
    "linear_recurrence",
    "log_linear_recurrence",
    "odd_even_scan",
]


def _keras_version() -> tuple[int, int]:
    major, minor = keras.__version__.split(".")[:2]
    return int(major), int("".join(c for c in minor if c.isdigit()) or 0)


#: True where ``keras.ops.associative_scan`` works in ``tf.function`` and on
#: length 1 (Keras 3.14 and later); ``method="keras_scan"`` needs it.
KERAS_SCAN_WORKS = _keras_version() >= (3, 14)

#: The ``method`` values :func:`linear_recurrence` accepts.
LINEAR_RECURRENCE_METHODS = ("scan", "keras_scan", "loop")


def _combine(first, second):
    a1, b1 = first
    a2, b2 = second
    return a1 * a2, a2 * b1 + b2


def _log_combine(first, second):
    alpha1, beta1 = first
    alpha2, beta2 = second
    return alpha1 + alpha2, ops.logaddexp(alpha2 + beta1, beta2)


def _reshape(x, like, axis=None, length=None):
    """``x`` reshaped to ``like``'s shape (``length`` along ``axis``), static where known."""
    dims = list(like.shape)
    if axis is not None:
        dims[axis] = length
    unknown = [i for i, d in enumerate(dims) if d is None]
    if len(unknown) == 1:
        dims[unknown[0]] = -1
    elif unknown:
        dynamic = ops.shape(like)
        dims = [dynamic[i] if d is None else d for i, d in enumerate(dims)]
    return ops.reshape(x, dims)


def _interleave(even, odd, axis: int):
    """[e0, e1, ...] and [o0, o1, ...] of equal lengths along ``axis`` -> [e0, o0, e1, o1, ...]."""
    stacked = ops.stack([even, odd], axis=axis + 1)
    return _reshape(stacked, even, axis, 2 * even.shape[axis])


def odd_even_scan(fn, elems, axis: int = 1):
    r"""Inclusive prefix scan of a tuple of tensors under ``fn``, written with ``keras.ops``.

    Same contract as ``keras.ops.associative_scan(fn, elems, axis=axis)`` for a
    tuple ``elems`` and a non-negative ``axis`` whose length is known: the
    result's k-th entry along ``axis`` is :math:`x_0 \circ \dots \circ x_k`.
    The algorithm is the recursive odd-even scan
    (:func:`rnncourse.reference.linear_recurrence.associative_scan`): about
    :math:`2 \log_2 T` rounds of vectorised ``fn`` calls. The recursion runs in
    Python while the graph is traced, so T must be known then.
    """
    elems = tuple(elems)
    n = elems[0].shape[axis]
    if n is None:
        raise ValueError("odd_even_scan needs the length of the scan axis to be known")
    if n < 2:
        return elems

    def take(e, start, stop=None, step=1):
        index = [slice(None)] * len(e.shape)
        index[axis] = slice(start, stop, step)
        return e[tuple(index)]

    pairs = fn(tuple(take(e, 0, n - 1, 2) for e in elems),
               tuple(take(e, 1, None, 2) for e in elems))
    odd = odd_even_scan(fn, tuple(pairs), axis=axis)
    before_even = odd if n % 2 else tuple(take(o, 0, -1) for o in odd)
    even_rest = fn(before_even, tuple(take(e, 2, None, 2) for e in elems))
    out = []
    for e, o, er in zip(elems, odd, even_rest):
        even = ops.concatenate([take(e, 0, 1), er], axis=axis)  # ceil(n/2) prefixes
        if n % 2:  # one more even prefix than odd ones: the last
            out.append(ops.concatenate([_interleave(take(even, 0, -1), o, axis),
                                        take(even, n // 2)], axis=axis))
        else:
            out.append(_interleave(even, o, axis))
    return tuple(out)


def _prefix_scan(fn, elems, method: str):
    """Scan along axis 1: the own odd-even scan, or keras.ops.associative_scan."""
    if method == "keras_scan":
        # the TensorFlow version loses the static shape in a graph (tf.cond): restore it
        return tuple(_reshape(out, e)
                     for out, e in zip(ops.associative_scan(fn, tuple(elems), axis=1), elems))
    return odd_even_scan(fn, elems, axis=1)


def _loop(step, first, second, h0):
    """Run ``h = step(h, first_t, second_t)`` over axis 1 with keras.ops.scan; all states."""
    # One stacked tensor to scan over, not two: keras.ops.scan on TensorFlow
    # fails on several inputs whose length is unknown while tracing.
    pairs = ops.stack([first, second], axis=0)  # (2, batch, time, features)
    pairs = ops.transpose(pairs, (2, 0, 1, 3))  # (time, 2, batch, features)

    def body(h, pair):
        h = step(h, pair[0], pair[1])
        return h, h

    _, states = ops.scan(body, h0, pairs)
    return ops.transpose(states, (1, 0, 2))


def _checked(names, first, second, h0, method, methods):
    if not isinstance(method, str) or method not in methods:
        raise ValueError(
            f"method should be one of {', '.join(repr(m) for m in methods)}; got {method!r}"
        )
    first, second = ops.convert_to_tensor(first), ops.convert_to_tensor(second)
    for name, value in zip(names[:2], (first, second)):
        if len(value.shape) != 3:
            raise ValueError(
                f"{name} should have shape (batch, time, features), got shape "
                f"{tuple(value.shape)}"
            )
    if first.dtype != second.dtype:
        second = ops.cast(second, first.dtype)
    if not _same_shape(first.shape, second.shape):
        raise ValueError(
            f"{names[0]} and {names[1]} should have the same shape (batch, time, features); "
            f"got {names[0]} {tuple(first.shape)} and {names[1]} {tuple(second.shape)}"
        )
    if h0 is not None:
        h0 = ops.cast(ops.convert_to_tensor(h0), first.dtype)
        expected = (first.shape[0], first.shape[2])
        if len(h0.shape) != 2 or not _same_shape(h0.shape, expected):
            raise ValueError(
                f"{names[2]} should have shape (batch, features) = {expected} to go with "
                f"{names[0]} {tuple(first.shape)}, got shape {tuple(h0.shape)}"
            )
    return first, second, h0


def _same_shape(shape1, shape2) -> bool:
    return len(shape1) == len(shape2) and all(
        d1 is None or d2 is None or d1 == d2 for d1, d2 in zip(shape1, shape2)
    )


def _use_loop(method: str, a) -> bool:
    return method == "loop" or a.shape[1] is None


def linear_recurrence(a, b, h0=None, method: str = "scan"):
    r"""All states of :math:`h_t = a_t h_{t-1} + b_t`, shape (batch, time, features).

    ``a`` and ``b``: tensors or arrays of shape (batch, time, features), ``b``
    cast to ``a``'s dtype; ``h0`` (batch, features), zeros if ``None``.
    ``result[:, t]`` is the state after step t (0-based). ``method``:

    * ``"scan"`` (default): the parallel prefix scan of the pairs
      :math:`(a_t, b_t)` (:func:`odd_even_scan`), with :math:`h_0` folded into
      the first step (:math:`b_1 \leftarrow a_1 h_0 + b_1`);
    * ``"keras_scan"``: the same with ``keras.ops.associative_scan`` (see the
      module's notes for where it fails);
    * ``"loop"``: one step at a time with ``keras.ops.scan`` (a
      ``tf.while_loop`` on TensorFlow, so it compiles).

    Both give the same states up to float32 rounding and both are
    differentiable. Works inside Keras layers, ``tf.function`` and XLA; when
    the length of the time axis is unknown while tracing, the scans run the
    loop.
    """
    a, b, h0 = _checked(("a", "b", "h0"), a, b, h0, method, LINEAR_RECURRENCE_METHODS)
    if _use_loop(method, a):
        if h0 is None:
            h0 = ops.zeros_like(a[:, 0])
        return _loop(lambda h, a_t, b_t: a_t * h + b_t, a, b, h0)
    if a.shape[1] == 0:
        return b
    if h0 is not None:
        b = ops.concatenate([a[:, :1] * h0[:, None, :] + b[:, :1], b[:, 1:]], axis=1)
    return _prefix_scan(_combine, (a, b), method)[1]


def log_linear_recurrence(log_a, log_b, log_h0=None, method: str = "scan"):
    r"""The recurrence :math:`h_t = a_t h_{t-1} + b_t` on logarithms; returns :math:`\log h`.

    For positive ``a`` and ``b`` pass ``log_a``, ``log_b`` (batch, time,
    features) and ``log_h0`` (batch, features), or ``None`` for
    :math:`h_0 = 0`. Returns :math:`\log h_t` for every t:

    .. math::

        \log h_t = \operatorname{logaddexp}(\log a_t + \log h_{t-1},\; \log b_t),

    by the scan (``method`` as in :func:`linear_recurrence`) under
    :math:`(\alpha_1, \beta_1) \circ (\alpha_2, \beta_2) = (\alpha_1 + \alpha_2,
    \operatorname{logaddexp}(\alpha_2 + \beta_1, \beta_2))` or by the loop.
    Products become sums, so long runs of small :math:`a_t` do not underflow
    (Heinsen, 2023; minGRU's paper trains this way). Negative states are out of
    its reach: logarithms need :math:`h_t > 0`.
    """
    log_a, log_b, log_h0 = _checked(("log_a", "log_b", "log_h0"), log_a, log_b, log_h0,
                                    method, LINEAR_RECURRENCE_METHODS)
    if _use_loop(method, log_a):
        if log_h0 is None:
            log_h0 = ops.full_like(log_a[:, 0], float("-inf"))
        return _loop(lambda lh, la, lb: ops.logaddexp(la + lh, lb), log_a, log_b, log_h0)
    if log_a.shape[1] == 0:
        return log_b
    if log_h0 is not None:
        first = ops.logaddexp(log_a[:, :1] + log_h0[:, None, :], log_b[:, :1])
        log_b = ops.concatenate([first, log_b[:, 1:]], axis=1)
    return _prefix_scan(_log_combine, (log_a, log_b), method)[1]


class _MinRNN(keras.Layer):
    """What MinGRU and MinLSTM share: weights, masks, return options, config."""

    #: Number of blocks in the kernel.
    gates = 2

    def __init__(
        self,
        units: int,
        return_sequences: bool = False,
        return_state: bool = False,
        method: str = "scan",
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units < 1:
            raise ValueError(f"units must be a positive integer, got {units!r}")
        if method not in LINEAR_RECURRENCE_METHODS:
            raise ValueError(
                f"method should be one of {', '.join(repr(m) for m in LINEAR_RECURRENCE_METHODS)}"
                f"; got {method!r}"
            )
        self.units = units
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.method = method
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.supports_masking = True
        if method == "keras_scan":
            self.supports_jit = False  # keras.ops.associative_scan fails to compile with XLA

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError(
                f"{type(self).__name__} expects sequences of shape (batch, time, features), "
                f"received shape {input_shape}"
            )
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"{type(self).__name__} needs to know the number of features; got an input "
                f"of shape {input_shape} with the last axis unknown"
            )
        self.kernel = self.add_weight(
            shape=(input_dim, self.gates * self.units), name="kernel",
            initializer=self.kernel_initializer,
        )
        self.bias = self.add_weight(
            shape=(self.gates * self.units,), name="bias", initializer=self.bias_initializer,
        )

    def coefficients(self, x):
        """``(a, b)`` of the recurrence for inputs ``x`` (..., input_dim), each (..., units)."""
        raise NotImplementedError

    def get_initial_state(self, batch_size):
        """Zeros of shape (batch_size, units)."""
        return ops.zeros((batch_size, self.units), dtype=self.compute_dtype)

    def step(self, x_t, h_prev):
        """One step, for generation: ``x_t`` (batch, input_dim), ``h_prev`` (batch, units).

        Returns ``h_t`` (batch, units); running it over a sequence from
        ``get_initial_state`` gives the states of the parallel ``call``.
        """
        if not self.built:
            self.build((None, None, x_t.shape[-1]))
        if len(x_t.shape) != 2 or x_t.shape[-1] != self.kernel.shape[0]:
            raise ValueError(
                f"{type(self).__name__}.step expects x_t of shape (batch, "
                f"{self.kernel.shape[0]}), received shape {tuple(x_t.shape)}"
            )
        a, b = self.coefficients(ops.convert_to_tensor(x_t, dtype=self.compute_dtype))
        return a * h_prev + b

    def call(self, inputs, initial_state=None, mask=None):
        if len(inputs.shape) != 3:
            raise ValueError(
                f"{type(self).__name__} expects sequences of shape (batch, time, features), "
                f"received shape {tuple(inputs.shape)}"
            )
        if initial_state is not None:
            initial_state = ops.convert_to_tensor(initial_state, dtype=self.compute_dtype)
            if len(initial_state.shape) != 2 or not _same_shape(
                    initial_state.shape, (inputs.shape[0], self.units)):
                raise ValueError(
                    f"{type(self).__name__}: initial_state should have shape (batch, units) = "
                    f"({inputs.shape[0]}, {self.units}), received shape "
                    f"{tuple(initial_state.shape)}"
                )
        a, b = self.coefficients(inputs)
        if mask is not None:
            # a masked step keeps the state: a_t = 1, b_t = 0
            keep = ops.expand_dims(ops.cast(mask, a.dtype), -1)
            a = keep * a + (1.0 - keep)
            b = keep * b
        h_all = linear_recurrence(a, b, initial_state, method=self.method)
        output = h_all if self.return_sequences else h_all[:, -1]
        if self.return_state:
            return [output, h_all[:, -1]]
        return output

    def compute_mask(self, inputs, mask=None):
        if mask is None or not self.return_sequences:
            return [None, None] if self.return_state else None
        return [mask, None] if self.return_state else mask

    def compute_output_shape(self, inputs_shape, initial_state_shape=None):
        batch, steps = inputs_shape[0], inputs_shape[1]
        output = (batch, steps, self.units) if self.return_sequences else (batch, self.units)
        if self.return_state:
            return [output, (batch, self.units)]
        return output

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "method": self.method,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }


@keras.saving.register_keras_serializable(package="rnncourse")
class MinGRU(_MinRNN):
    r"""minGRU (Feng et al., 2024): a GRU whose gate and candidate see :math:`x_t` only.

    .. math::

        [\,k^z_t \mid \tilde h_t\,] &= x_t W + b, \qquad z_t = \sigma(k^z_t) \\
        h_t &= (1 - z_t) \odot h_{t-1} + z_t \odot \tilde h_t

    i.e. the linear recurrence with :math:`a_t = 1 - z_t` and
    :math:`b_t = z_t \tilde h_t`. ``kernel`` (input_dim, 2·units) holds
    :math:`[\,W_z \mid W_h\,]`, ``bias`` (2·units,): 2·units·(input_dim + 1)
    parameters, against 3·units·(input_dim + units + 2) for
    ``keras.layers.GRU``. Called on (batch, time, input_dim), it returns the last
    state (batch, units), or every state with ``return_sequences=True``; with
    ``return_state=True`` the last state comes too, as in Keras's RNN layers.
    ``initial_state`` (batch, units) is optional. A mask (from
    ``keras.layers.Masking`` or ``Embedding(mask_zero=True)``, or ``mask=``)
    makes a masked step keep the state, as Keras's RNN layers do.
    ``method="scan"`` (parallel, default), ``"keras_scan"`` or ``"loop"``
    choose how the recurrence runs (:func:`linear_recurrence`); :meth:`step`
    does one step for generation. Note the paper's gate convention:
    :math:`z_t` near 1 replaces the state (Keras's GRU: keeps it). Same maths as
    :func:`rnncourse.reference.min_gru_forward`.
    """

    gates = 2

    def coefficients(self, x):
        z_pre, h_tilde = ops.split(ops.matmul(x, self.kernel) + self.bias, 2, axis=-1)
        z = ops.sigmoid(z_pre)
        return 1.0 - z, z * h_tilde


@keras.saving.register_keras_serializable(package="rnncourse")
class MinLSTM(_MinRNN):
    r"""minLSTM (Feng et al., 2024): forget and input gates of :math:`x_t` only, normalised.

    .. math::

        [\,k^f_t \mid k^i_t \mid \tilde h_t\,] &= x_t W + b, \qquad
        f_t = \sigma(k^f_t), \quad i_t = \sigma(k^i_t) \\
        h_t &= \frac{f_t}{f_t + i_t} \odot h_{t-1} + \frac{i_t}{f_t + i_t} \odot \tilde h_t

    The normalisation makes the two weights sum to 1, so the state stays on the
    scale of the candidates whatever the sequence length. ``kernel``
    (input_dim, 3·units) holds :math:`[\,W_f \mid W_i \mid W_h\,]`, ``bias``
    (3·units,): 3·units·(input_dim + 1) parameters. Arguments, masks and
    :meth:`step` as in :class:`MinGRU`; same maths as
    :func:`rnncourse.reference.min_lstm_forward`.
    """

    gates = 3

    def coefficients(self, x):
        f_pre, i_pre, h_tilde = ops.split(ops.matmul(x, self.kernel) + self.bias, 3, axis=-1)
        f, i = ops.sigmoid(f_pre), ops.sigmoid(i_pre)
        total = f + i
        return f / total, i / total * h_tilde
