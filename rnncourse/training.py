r"""Training and inspection helpers shared by the lessons.

* Quiet training: :func:`fit_quietly`, :func:`train_and_evaluate` (``verbose=0``,
  at most one short line every few epochs).
* Truncated backpropagation through time: :func:`fit_stateful_windows` (a
  stateful Keras model fed consecutive windows, states reset between streams)
  and :func:`fit_truncated_bptt` (a ``tf.GradientTape`` loop that carries the
  state across windows and stops the gradient at each border).
* Gradient probes: :func:`gradient_norms_through_time` (NumPy, vanilla RNN),
  :func:`hidden_state_gradient_norms` (any Keras cell, via GradientTape),
  :func:`global_norm`, :func:`clip_by_global_norm` and :func:`fit_recording_gradient_norms`.
* Encoder-decoder: :func:`decoder_inputs_from_targets`, the scheduled-sampling
  schedules of Bengio et al. (2015), :func:`greedy_decode`, :func:`beam_search`
  (with length normalisation) and :func:`sequence_log_probability`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

from rnncourse.environment import import_keras_quietly
from rnncourse.reference.simple_rnn import rnn_backward, rnn_forward

keras = import_keras_quietly()
import tensorflow as tf  # noqa: E402  (after the quiet import)

ops = keras.ops

__all__ = [
    "BeamResult",
    "beam_search",
    "clip_by_global_norm",
    "decoder_inputs_from_targets",
    "exponential_schedule",
    "fit_quietly",
    "fit_recording_gradient_norms",
    "fit_stateful_windows",
    "fit_truncated_bptt",
    "global_norm",
    "gradient_norms_through_time",
    "greedy_decode",
    "hidden_state_gradient_norms",
    "inverse_sigmoid_schedule",
    "keras_step_function",
    "linear_schedule",
    "reset_rnn_states",
    "sequence_log_probability",
    "teacher_forcing_probability",
    "train_and_evaluate",
]


# --------------------------------------------------------------------------- quiet fitting


class _EveryFewEpochs(keras.callbacks.Callback):
    """Print one short line every ``every`` epochs and after the last one."""

    def __init__(self, every: int | None, epochs: int, name: str | None):
        super().__init__()
        self.every, self.epochs, self.name = every, epochs, name

    def on_epoch_end(self, epoch, logs=None):
        done = epoch + 1
        if done == self.epochs or (self.every and done % self.every == 0):
            numbers = ", ".join(f"{key} {value:.4g}" for key, value in (logs or {}).items())
            prefix = f"{self.name}: " if self.name else ""
            print(f"{prefix}epoch {done}/{self.epochs}: {numbers}")


def fit_quietly(model, x, y=None, *, epochs: int, batch_size: int | None = None,
                print_every: int | None = None, name: str | None = None, **fit_kwargs):
    """``model.fit(..., verbose=0)`` printing one line every ``print_every`` epochs.

    Without ``print_every`` only the last epoch's line is printed; with
    ``print_every=0`` nothing at all. Other keyword arguments
    (``validation_data``, ``callbacks``, ``shuffle``...) go to ``fit``. Returns
    the ``History`` (``history.history["loss"]`` and so on).
    """
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    callbacks = list(fit_kwargs.pop("callbacks", []) or [])
    if print_every != 0:
        callbacks.append(_EveryFewEpochs(print_every, epochs, name))
    fit_kwargs.pop("verbose", None)
    return model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0,
                     callbacks=callbacks, **fit_kwargs)


def train_and_evaluate(model, train, test, *, epochs: int, batch_size: int | None = None,
                       print_every: int | None = None, name: str | None = None,
                       **fit_kwargs):
    """Fit on ``train = (x, y)`` quietly, then evaluate on ``test = (x, y)``.

    Returns ``(history, results)`` with ``results`` the dict of test metrics
    (``{"loss": ..., "accuracy": ...}``).
    """
    history = fit_quietly(model, train[0], train[1], epochs=epochs, batch_size=batch_size,
                          print_every=print_every, name=name, **fit_kwargs)
    results = model.evaluate(test[0], test[1], batch_size=batch_size, verbose=0,
                             return_dict=True)
    return history, results


# --------------------------------------------------------------------------- truncated BPTT


def reset_rnn_states(model) -> int:
    """Call ``reset_state()`` on every stateful layer of ``model`` (nested ones too).

    Keras 3 models have no ``reset_states()``; each stateful layer (``RNN``,
    ``LSTM``, ``Bidirectional``...) has ``reset_state()``. Returns how many
    layers were reset.
    """
    count = 0
    for layer in getattr(model, "layers", []):
        if getattr(layer, "stateful", False) and hasattr(layer, "reset_state"):
            layer.reset_state()
            count += 1
        elif hasattr(layer, "layers"):
            count += reset_rnn_states(layer)
    return count


def _stream_starts(n_windows: int, windows_per_stream: int | None) -> set[int]:
    if windows_per_stream is None:
        return {0}
    if windows_per_stream < 1:
        raise ValueError(f"windows_per_stream must be at least 1, got {windows_per_stream}")
    return set(range(0, n_windows, windows_per_stream))


def _check_windows(x_windows, y_windows):
    if len(x_windows) != len(y_windows):
        raise ValueError(
            f"x_windows and y_windows must hold as many windows, got {len(x_windows)} "
            f"and {len(y_windows)}"
        )
    if len(x_windows) == 0:
        raise ValueError("no windows to train on")


def fit_stateful_windows(model, x_windows, y_windows, *, epochs: int = 1,
                         windows_per_stream: int | None = None,
                         print_every: int | None = None) -> dict[str, list[float]]:
    """Truncated BPTT with a stateful Keras model fed consecutive windows.

    ``x_windows[i]`` (batch, T, features) continues ``x_windows[i-1]`` row by
    row (row b of every window is the same stream): the final state of one
    window is the initial state of the next, and gradients stop at the border.
    Every ``train_on_batch`` call runs the same compiled training function; a
    stateful layer reads its initial state from a state variable and writes
    the final state back to it, so within one call the initial state is a
    constant for the gradient (nothing on that step's tape computed it), which
    is what stops the gradient at the border. States are reset with
    :func:`reset_rnn_states` at the start of every epoch and every
    ``windows_per_stream`` windows (when new streams begin). The model must be
    compiled, built with ``keras.Input(shape, batch_size=batch)`` and its
    recurrent layers ``stateful=True``. Returns ``{"loss": [...], ...}``: the
    mean of each metric over the windows of each epoch.
    """
    _check_windows(x_windows, y_windows)
    if not reset_rnn_states(model):
        raise ValueError(
            "the model has no stateful layer: create its recurrent layers with "
            "stateful=True (and keras.Input(shape, batch_size=N))"
        )
    starts = _stream_starts(len(x_windows), windows_per_stream)
    history: dict[str, list[float]] = {}
    for epoch in range(epochs):
        sums: dict[str, float] = {}
        for i, (x, y) in enumerate(zip(x_windows, y_windows, strict=True)):
            if i in starts:
                reset_rnn_states(model)
            logs = model.train_on_batch(x, y, return_dict=True)
            for key, value in logs.items():
                sums[key] = sums.get(key, 0.0) + float(value)
        for key, total in sums.items():
            history.setdefault(key, []).append(total / len(x_windows))
        if print_every and ((epoch + 1) % print_every == 0 or epoch + 1 == epochs):
            numbers = ", ".join(f"{k} {v[-1]:.4g}" for k, v in history.items())
            print(f"epoch {epoch + 1}/{epochs}: {numbers}")
    return history


def fit_truncated_bptt(model, x_windows, y_windows, *, initial_states: Sequence,
                       loss_fn: Callable, optimizer, epochs: int = 1,
                       carry_state: bool = True,
                       windows_per_stream: int | None = None) -> dict[str, list[float]]:
    r"""Truncated BPTT written out: a GradientTape per window, the state carried over.

    ``model([x, *states])`` must return ``[y_pred, *new_states]`` (a functional
    model with the initial states as extra inputs and ``return_state=True``).
    For each window

    .. math::

        (\hat y, s') = \text{model}(x_w, s), \quad
        \theta \leftarrow \theta - \eta \nabla_\theta L(y_w, \hat y), \quad
        s \leftarrow \text{stop\_gradient}(s')

    so the state flows forward across borders but the gradient does not flow
    back. With ``carry_state=False`` the state is reset to ``initial_states`` at
    every window (what a model without memory across windows sees). States
    are reset at the start of each epoch and every ``windows_per_stream``
    windows. Returns ``{"loss": [mean loss per epoch]}``.
    """
    _check_windows(x_windows, y_windows)
    initial_states = [ops.convert_to_tensor(s, dtype="float32") for s in initial_states]
    variables = model.trainable_variables
    optimizer.build(variables)

    @tf.function(reduce_retracing=True)
    def train_window(x, y, states):
        with tf.GradientTape() as tape:
            outputs = model([x, *states], training=True)
            y_pred, new_states = outputs[0], list(outputs[1:])
            loss = ops.mean(loss_fn(y, y_pred))
        grads = tape.gradient(loss, variables)
        optimizer.apply_gradients(zip(grads, variables, strict=True))
        return loss, [ops.stop_gradient(s) for s in new_states]

    starts = _stream_starts(len(x_windows), windows_per_stream)
    losses = []
    for _ in range(epochs):
        total, states = 0.0, list(initial_states)
        for i, (x, y) in enumerate(zip(x_windows, y_windows, strict=True)):
            if i in starts or not carry_state:
                states = list(initial_states)
            loss, states = train_window(ops.convert_to_tensor(x), ops.convert_to_tensor(y),
                                        states)
            total += float(loss)
        losses.append(total / len(x_windows))
    return {"loss": losses}


# --------------------------------------------------------------------------- gradient probes


def gradient_norms_through_time(W_hh, steps: int = 50, *, W_xh=None, b_h=None,
                                input_dim: int = 1, batch: int = 16, seed: int = 0):
    r"""Norm of :math:`\partial L/\partial h_k` against the distance :math:`T-k` (NumPy).

    Runs the tanh RNN (:func:`rnncourse.reference.rnn_forward`) for ``steps``
    steps on standard normal inputs from :math:`h_0 = 0`, puts a random unit
    gradient on the last state only (:math:`L = g \cdot h_T`) and backpropagates
    with :func:`rnncourse.reference.rnn_backward`. Since

    .. math::

        \frac{\partial L}{\partial h_k} = \frac{\partial L}{\partial h_T}
        \prod_{t=k+1}^{T} \operatorname{diag}(1 - h_t^2)\, W_{hh}^\top ,

    the norm changes roughly geometrically with the distance: it falls when the
    largest singular value of :math:`W_{hh}` is below 1 and may grow when it is
    above. ``W_xh`` defaults to N(0, 1/input_dim) entries. Returns
    ``(distances, norms)``: ``distances = 0, 1, ..., steps-1`` and the mean
    norm over the batch at each distance.
    """
    W_hh = np.asarray(W_hh, dtype=np.float64)
    if W_hh.ndim != 2 or W_hh.shape[0] != W_hh.shape[1]:
        raise ValueError(f"W_hh should have shape (units, units), got shape {W_hh.shape}")
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    units = W_hh.shape[0]
    rng = np.random.default_rng(seed)
    if W_xh is None:
        W_xh = rng.normal(0.0, 1.0 / math.sqrt(input_dim), size=(input_dim, units))
    W_xh = np.asarray(W_xh, dtype=np.float64)
    b_h = np.zeros(units) if b_h is None else np.asarray(b_h, dtype=np.float64)
    x = rng.normal(size=(batch, steps, W_xh.shape[0]))
    h0 = np.zeros((batch, units))
    h_all = rnn_forward(x, h0, W_xh, W_hh, b_h)
    g = rng.normal(size=(batch, units))
    g /= np.linalg.norm(g, axis=1, keepdims=True)
    grads = rnn_backward(np.zeros_like(h_all), x, h0, h_all, W_xh, W_hh, dh_last=g)
    norms = np.linalg.norm(grads["h"], axis=-1).mean(axis=0)  # (steps,) by time k
    return np.arange(steps), norms[::-1].copy()


def hidden_state_gradient_norms(cell, x, initial_states=None, *, state_index: int = 0):
    r"""Norm of :math:`\partial L/\partial s_k` against the distance for a Keras cell.

    Unrolls ``cell`` (a built-in or scratch cell, e.g. ``keras.layers.LSTMCell``)
    over ``x`` (batch, time, features) in an explicit loop under a
    ``tf.GradientTape``, with :math:`L = \sum h_T` (the sum of the last output),
    and returns ``(distances, norms)`` like :func:`gradient_norms_through_time`
    for the state number ``state_index`` (0: h; 1: the LSTM's cell state c).
    """
    x = ops.convert_to_tensor(np.asarray(x, dtype="float32"))
    if len(x.shape) != 3:
        raise ValueError(f"x should have shape (batch, time, features), got shape {x.shape}")
    batch, steps = x.shape[0], x.shape[1]
    sizes = cell.state_size if isinstance(cell.state_size, (list, tuple)) else [cell.state_size]
    if initial_states is None:
        states = [ops.zeros((batch, size)) for size in sizes]
    else:
        states = [ops.convert_to_tensor(np.asarray(s, dtype="float32")) for s in initial_states]
    if not cell.built:
        cell.build((batch, x.shape[-1]))
    watched = []
    with tf.GradientTape() as tape:
        for t in range(steps):
            output, states = cell(x[:, t], list(states))
            states = list(states) if isinstance(states, (list, tuple)) else [states]
            watched.append(states[state_index])
        loss = ops.sum(output)
    grads = tape.gradient(loss, watched)
    norms = np.array([
        0.0 if g is None else float(np.mean(np.linalg.norm(np.asarray(g), axis=-1)))
        for g in grads
    ])
    return np.arange(steps), norms[::-1].copy()


def global_norm(gradients) -> float:
    r"""The global norm :math:`\sqrt{\sum_i \lVert g_i \rVert^2}` of a list of gradients.

    This is the length that ``global_clipnorm`` clips; ``None`` entries count as 0.
    """
    total = 0.0
    for g in gradients:
        if g is not None:
            total += float(np.sum(np.square(np.asarray(g, dtype=np.float64))))
    return math.sqrt(total)


def clip_by_global_norm(gradients, clip_norm: float) -> list:
    r"""Rescale a list of gradients so that their global norm is at most ``clip_norm``.

    .. math::

        g_i \leftarrow g_i \cdot \min\left(1, \frac{c}{\lVert g \rVert}\right), \qquad
        \lVert g \rVert = \sqrt{\textstyle\sum_i \lVert g_i \rVert^2}

    Every array is multiplied by the same factor, so the direction of the whole
    gradient is kept and only its length changes; gradients already shorter
    than ``c`` are returned unchanged. This is what an optimizer created with
    ``global_clipnorm=c`` does before its update. ``None`` entries stay
    ``None``. Returns a new list of float64 arrays.
    """
    if not clip_norm > 0:
        raise ValueError(f"clip_norm must be positive, got {clip_norm}")
    norm = global_norm(gradients)
    factor = min(1.0, clip_norm / norm) if norm > 0 else 1.0
    return [None if g is None else np.asarray(g, dtype=np.float64) * factor for g in gradients]


def fit_recording_gradient_norms(model, x, y, *, loss_fn: Callable, optimizer,
                                 epochs: int = 1, batch_size: int = 32,
                                 seed: int = 0) -> dict[str, list[float]]:
    """Train with a GradientTape loop that records the gradient's global norm per step.

    The norm is taken before the optimizer clips anything (so a
    ``global_clipnorm`` optimizer shows the raw norms it had to clip). Batches
    are shuffled with ``numpy.random.default_rng(seed)``. Training goes on when
    the loss becomes inf or NaN, so an exploding run is recorded to the end.
    Returns ``{"loss": [...], "grad_norm": [...]}``, one entry per step.
    """
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"x and y must have as many examples, got {len(x)} and {len(y)}")
    variables = model.trainable_variables
    optimizer.build(variables)

    @tf.function(reduce_retracing=True)
    def step(xb, yb):
        with tf.GradientTape() as tape:
            loss = ops.mean(loss_fn(yb, model(xb, training=True)))
        grads = tape.gradient(loss, variables)
        norm = tf.linalg.global_norm([g for g in grads if g is not None])
        optimizer.apply_gradients(zip(grads, variables, strict=True))
        return loss, norm

    rng = np.random.default_rng(seed)
    record: dict[str, list[float]] = {"loss": [], "grad_norm": []}
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            idx = order[start:start + batch_size]
            loss, norm = step(ops.convert_to_tensor(x[idx]), ops.convert_to_tensor(y[idx]))
            record["loss"].append(float(loss))
            record["grad_norm"].append(float(norm))
    return record


# --------------------------------------------------------------------------- encoder-decoder


def decoder_inputs_from_targets(targets, start_token):
    """The decoder's teacher-forcing inputs: ``targets`` shifted right by one step.

    ``targets`` (batch, T) of token ids gives ``[start, y_1, ..., y_{T-1}]`` per
    row. For one-hot / feature targets (batch, T, V), ``start_token`` is either
    an id (one-hot encoded) or a vector of length V.
    """
    targets = np.asarray(targets)
    if targets.ndim not in (2, 3):
        raise ValueError(
            f"targets should have shape (batch, T) or (batch, T, V), got shape {targets.shape}"
        )
    shifted = np.empty_like(targets)
    shifted[:, 1:] = targets[:, :-1]
    if targets.ndim == 2:
        shifted[:, 0] = start_token
        return shifted
    start = np.asarray(start_token)
    if start.ndim == 0:
        if not 0 <= int(start) < targets.shape[2]:
            raise ValueError(
                f"start_token {int(start)} is not a valid id for {targets.shape[2]} classes"
            )
        start = np.eye(targets.shape[2], dtype=targets.dtype)[int(start)]
    if start.shape != (targets.shape[2],):
        raise ValueError(
            f"start_token should be an id or a vector of shape ({targets.shape[2]},), "
            f"got shape {start.shape}"
        )
    shifted[:, 0] = start
    return shifted


def _steps(i):
    steps = np.asarray(i, dtype=np.float64)
    if np.any(steps < 0):
        raise ValueError(f"the step i must be non-negative, got {i}")
    return steps


def _result(values, i):
    return float(values) if np.ndim(i) == 0 else values


def linear_schedule(i, *, k: float = 1.0, c: float = 0.01, epsilon: float = 0.0):
    r"""Teacher-forcing probability :math:`\epsilon_i = \max(\epsilon, k - c\,i)`.

    Bengio et al. (2015): start at ``k`` (at most 1), fall by ``c`` per step
    (or epoch) down to the floor ``epsilon`` (``0 <= epsilon <= k``).
    ``i`` may be a number or an array.
    """
    if not 0.0 < k <= 1.0:
        raise ValueError(f"k must be in (0, 1], got {k}")
    if c <= 0:
        raise ValueError(f"c must be positive, got {c}")
    if not 0.0 <= epsilon <= k:
        raise ValueError(f"epsilon must be in [0, k] = [0, {k}], got {epsilon}")
    return _result(np.maximum(epsilon, k - c * _steps(i)), i)


def exponential_schedule(i, *, k: float = 0.99):
    r"""Teacher-forcing probability :math:`\epsilon_i = k^i` with :math:`0 < k < 1`."""
    if not 0.0 < k < 1.0:
        raise ValueError(f"k must be in (0, 1), got {k}")
    return _result(np.power(k, _steps(i)), i)


def inverse_sigmoid_schedule(i, *, k: float = 10.0):
    r"""Teacher-forcing probability :math:`\epsilon_i = k / (k + \exp(i/k))`, :math:`k \ge 1`.

    Starts at :math:`k/(k+1)` and falls fastest around :math:`i = k \ln k`.
    """
    if k < 1.0:
        raise ValueError(f"k must be at least 1, got {k}")
    steps = _steps(i)
    with np.errstate(over="ignore"):
        values = k / (k + np.exp(steps / k))
    return _result(values, i)


_SCHEDULES = {
    "linear": linear_schedule,
    "exponential": exponential_schedule,
    "inverse_sigmoid": inverse_sigmoid_schedule,
}


def teacher_forcing_probability(i, schedule: str = "inverse_sigmoid", **params):
    """The probability of feeding the ground truth at step ``i`` under a named schedule.

    ``schedule`` is ``"linear"``, ``"exponential"`` or ``"inverse_sigmoid"``;
    ``params`` go to the schedule (``k``, ``c``, ``epsilon``).
    """
    if schedule not in _SCHEDULES:
        raise ValueError(f"schedule must be one of {sorted(_SCHEDULES)}, got {schedule!r}")
    return _SCHEDULES[schedule](i, **params)


def keras_step_function(model):
    """Wrap a Keras step model for :func:`greedy_decode`.

    ``model([tokens, *states])`` takes ``tokens`` of shape (batch, 1) and returns
    ``[scores, *new_states]`` with scores (batch, 1, V) or (batch, V).
    """

    def step(tokens, states):
        outputs = model([np.asarray(tokens)[:, None], *states], training=False)
        outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        scores = np.asarray(outputs[0])
        return scores.reshape(scores.shape[0], -1), [np.asarray(s) for s in outputs[1:]]

    return step


def greedy_decode(step: Callable, initial_states, *, start_token: int, end_token: int,
                  max_length: int, pad_token: int | None = None) -> np.ndarray:
    """Greedy decoding written out as a loop.

    ``step(tokens, states) -> (scores, new_states)`` runs the decoder for one
    step: ``tokens`` (batch,) are the previous outputs (``start_token`` first)
    and ``scores`` (batch, V). At each step the most likely token is chosen and
    fed back. A row stops at ``end_token`` (kept in the output, followed by
    ``pad_token``, which defaults to ``end_token``); the loop stops when every
    row has ended or after ``max_length`` tokens. Returns the tokens,
    (batch, L) with ``L <= max_length``. Use :func:`keras_step_function` for a
    Keras step model.
    """
    if max_length < 1:
        raise ValueError(f"max_length must be at least 1, got {max_length}")
    states = list(initial_states)
    if not states:
        raise ValueError("initial_states must hold at least one state (batch, units)")
    pad = end_token if pad_token is None else pad_token
    batch = np.shape(states[0])[0]
    tokens = np.full(batch, start_token, dtype=np.int64)
    finished = np.zeros(batch, dtype=bool)
    outputs = []
    for _ in range(max_length):
        scores, states = step(tokens, states)
        scores = np.asarray(scores)
        if scores.ndim != 2 or scores.shape[0] != batch:
            raise ValueError(
                f"step must return scores of shape ({batch}, vocabulary), got {scores.shape}"
            )
        tokens = np.where(finished, pad, np.argmax(scores, axis=-1)).astype(np.int64)
        outputs.append(tokens)
        finished |= tokens == end_token
        if finished.all():
            break
    return np.stack(outputs, axis=1)


# --------------------------------------------------------------------------- beam search


class BeamResult(NamedTuple):
    """What :func:`beam_search` returns, one entry per row of the batch.

    ``tokens`` (batch, L): the chosen sequence, ``end_token`` included and
    padded with ``end_token``; ``log_probs`` (batch,): its log-probability
    under the model; ``lengths`` (batch,): its number of tokens, END included;
    ``scores`` (batch,): ``log_probs / lengths ** length_penalty``, the score
    the search ranked the finished candidates by.
    """

    tokens: np.ndarray
    log_probs: np.ndarray
    lengths: np.ndarray
    scores: np.ndarray


def _log_probabilities(outputs, kind: str) -> np.ndarray:
    outputs = np.asarray(outputs, dtype=np.float64)
    if outputs.ndim != 2:
        raise ValueError(
            f"step must return scores of shape (batch, vocabulary), got {outputs.shape}"
        )
    if kind == "probabilities":
        with np.errstate(divide="ignore"):
            return np.log(np.clip(outputs, 0.0, None))
    if kind == "logits":
        shifted = outputs - outputs.max(axis=1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    raise ValueError(f"scores must be 'probabilities' or 'logits', got {kind!r}")


def sequence_log_probability(step: Callable, initial_states, tokens, *, start_token: int,
                             end_token: int, scores: str = "probabilities"):
    """Log-probability of given token sequences under a decoder, by teacher forcing.

    ``tokens`` (batch, L) are the output tokens (no start token); each row counts
    up to and including its first ``end_token`` (all L tokens if it has none).
    ``step`` is as for :func:`greedy_decode`; its scores are ``"probabilities"``
    (a softmax output) or ``"logits"``. Returns ``(log_probs, lengths)``, both (batch,).
    """
    tokens = np.asarray(tokens)
    if tokens.ndim != 2 or tokens.shape[1] < 1:
        raise ValueError(f"tokens should have shape (batch, L) with L >= 1, got {tokens.shape}")
    tokens = tokens.astype(np.int64)
    batch, length = tokens.shape
    is_end = tokens == end_token
    lengths = np.where(is_end.any(axis=1), is_end.argmax(axis=1) + 1, length)
    states = list(initial_states)
    previous = np.full(batch, start_token, dtype=np.int64)
    total = np.zeros(batch)
    rows = np.arange(batch)
    for t in range(int(lengths.max())):
        outputs, states = step(previous, states)
        log_p = _log_probabilities(outputs, scores)
        total += np.where(t < lengths, log_p[rows, tokens[:, t]], 0.0)
        previous = tokens[:, t]
    return total, lengths


def beam_search(step: Callable, initial_states, *, start_token: int, end_token: int,
                beam_width: int, max_length: int, length_penalty: float = 1.0,
                scores: str = "probabilities") -> BeamResult:
    """Beam search with length normalisation, for a batch of rows at once.

    ``step(tokens, states) -> (scores, new_states)`` as for :func:`greedy_decode`
    (scores are ``"probabilities"``, a softmax output, or ``"logits"``). Each
    row keeps the ``beam_width`` unfinished prefixes of highest log-probability;
    a candidate that ends with ``end_token`` among the best ones is set aside as
    finished. A row stops once it has ``beam_width`` finished candidates; at
    ``max_length`` its unfinished prefixes count as candidates too. Of a row's
    candidates, the one with the highest ``log_prob / length ** length_penalty``
    wins (``length_penalty=0``: plain log-probability, which favours short
    outputs). With ``beam_width=1`` this is :func:`greedy_decode`.
    """
    if beam_width < 1:
        raise ValueError(f"beam_width must be at least 1, got {beam_width}")
    if max_length < 1:
        raise ValueError(f"max_length must be at least 1, got {max_length}")
    width = int(beam_width)
    states = [np.repeat(np.asarray(s), width, axis=0) for s in initial_states]
    if not states:
        raise ValueError("initial_states must hold at least one state (batch, units)")
    batch = states[0].shape[0] // width
    rows = np.arange(batch)[:, None]
    alive = np.full((batch, width), -np.inf)
    alive[:, 0] = 0.0  # one live prefix per row at the start: the empty one
    history = np.zeros((batch, width, 0), dtype=np.int64)
    previous = np.full(batch * width, start_token, dtype=np.int64)
    finished: list[list[tuple[float, float, list[int]]]] = [[] for _ in range(batch)]

    def candidate(log_prob, sequence):
        return (log_prob / len(sequence) ** length_penalty, log_prob, sequence)

    for _ in range(max_length):
        outputs, states = step(previous, states)
        log_p = _log_probabilities(outputs, scores)
        vocabulary = log_p.shape[1]
        extended = (alive[:, :, None] + log_p.reshape(batch, width, vocabulary)).reshape(batch, -1)
        order = np.argsort(-extended, axis=1, kind="stable")
        new_alive = np.full((batch, width), -np.inf)
        parents = np.zeros((batch, width), dtype=np.int64)
        chosen = np.full((batch, width), end_token, dtype=np.int64)
        for row in range(batch):
            kept = 0
            for index in order[row]:
                value = extended[row, index]
                if kept == width or not np.isfinite(value):
                    break
                parent, token = divmod(int(index), vocabulary)
                if token == end_token:
                    sequence = history[row, parent].tolist() + [end_token]
                    finished[row].append(candidate(float(value), sequence))
                else:
                    new_alive[row, kept] = value
                    parents[row, kept], chosen[row, kept] = parent, token
                    kept += 1
            if len(finished[row]) >= width:
                new_alive[row] = -np.inf  # this row is done
        history = np.concatenate([history[rows, parents], chosen[:, :, None]], axis=2)
        states = [np.asarray(s).reshape(batch, width, *np.shape(s)[1:])[rows, parents]
                  .reshape(batch * width, *np.shape(s)[1:]) for s in states]
        previous = chosen.reshape(-1)
        alive = new_alive
        if not np.isfinite(alive).any():
            break
    for row in range(batch):
        for beam in range(width):
            if np.isfinite(alive[row, beam]):
                finished[row].append(candidate(float(alive[row, beam]),
                                               history[row, beam].tolist()))
    best = [max(found, key=lambda item: item[0]) for found in finished]
    longest = max(len(sequence) for _, _, sequence in best)
    tokens = np.full((batch, longest), end_token, dtype=np.int64)
    for row, (_, _, sequence) in enumerate(best):
        tokens[row, :len(sequence)] = sequence
    return BeamResult(tokens, np.array([item[1] for item in best]),
                      np.array([len(item[2]) for item in best]),
                      np.array([item[0] for item in best]))
