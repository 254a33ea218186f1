r"""The echo task: repeat a random bit stream ``k`` steps later.

Each of ``B`` parallel streams is a sequence of fair coin flips
:math:`x_t \sim \text{Bernoulli}(0.5)`, and the target is the input delayed by
``k = echo_step`` steps:

.. math::

    y_t = x_{t-k} \text{ for } t \ge k, \qquad y_t = 0 \text{ for } t < k.

For truncated backpropagation through time the streams (length
``n_windows * window`` each) are cut into consecutive windows of ``T = window``
steps, read **in order**: window ``w`` holds steps ``w*T .. w*T + T - 1`` of
every stream, shape (B, T, 1). A stateful model carries its state from one
window to the next and resets it when a new stream starts. When ``k`` crosses
a window border (``t mod T < k``), the answer lies in the previous window, so a
model whose state is reset at every window cannot know it.

Example::

    >>> stream = EchoStream(batch_size=5, window=20, echo_step=3, n_windows=100, seed=0)
    >>> for window in stream.windows():
    ...     pass  # model.train_on_batch(window.inputs, window.targets)
    >>> window.inputs.shape, window.inputs.dtype, window.starts_stream
    ((5, 20, 1), dtype('float32'), False)
    >>> stream.new_stream()  # fresh bits; reset the model's state before using them
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from ._checks import check_int
from ._random import SeedLike, as_generator


def echo_targets(bits: np.ndarray, echo_step: int) -> np.ndarray:
    """The inputs delayed by ``echo_step`` along the last axis, first steps 0."""
    bits = np.asarray(bits)
    if bits.ndim < 1:
        raise ValueError("bits must have at least one axis (time is the last axis)")
    echo_step = check_int("echo_step", echo_step, minimum=1)
    targets = np.zeros_like(bits)
    if echo_step < bits.shape[-1]:
        targets[..., echo_step:] = bits[..., :-echo_step]
    return targets


class EchoWindow(NamedTuple):
    """One window of the echo task: inputs and targets (B, T, 1) float32.

    ``index`` counts windows from 0 within the current stream, and
    ``starts_stream`` is True for the first window of a stream: reset the
    model's state before it.
    """

    inputs: np.ndarray
    targets: np.ndarray
    index: int
    starts_stream: bool


class EchoStream:
    """``batch_size`` parallel bit streams, cut into ``n_windows`` windows of ``window`` steps.

    ``stream_inputs`` / ``stream_targets`` hold the whole current streams
    (B, n_windows * window) as float32; :meth:`windows` yields them window by
    window in order; :meth:`as_arrays` stacks all windows; :meth:`new_stream`
    draws fresh bits from the same generator (so a seeded sequence of streams
    is reproducible).
    """

    def __init__(self, batch_size: int, window: int, echo_step: int, n_windows: int, *,
                 seed: SeedLike) -> None:
        self.batch_size = check_int("batch_size", batch_size, minimum=1)
        self.window = check_int("window", window, minimum=1)
        self.echo_step = check_int("echo_step", echo_step, minimum=1)
        self.n_windows = check_int("n_windows", n_windows, minimum=1)
        if self.echo_step >= self.stream_length:
            raise ValueError(
                f"echo_step ({echo_step}) must be smaller than the stream length "
                f"n_windows * window = {self.stream_length}, or every target is 0"
            )
        self._rng = as_generator(seed)
        self.streams_drawn = 0
        self.new_stream()

    @property
    def stream_length(self) -> int:
        """Steps per stream, ``n_windows * window``."""
        return self.n_windows * self.window

    def new_stream(self) -> None:
        """Draw fresh bit streams; a stateful model must reset its state now."""
        bits = self._rng.integers(0, 2, size=(self.batch_size, self.stream_length))
        self.stream_inputs = bits.astype(np.float32)
        self.stream_targets = echo_targets(self.stream_inputs, self.echo_step)
        self.streams_drawn += 1

    def window_at(self, index: int) -> EchoWindow:
        """Window ``index`` of the current stream (0-based)."""
        index = check_int("index", index, minimum=0, maximum=self.n_windows - 1)
        span = slice(index * self.window, (index + 1) * self.window)
        return EchoWindow(self.stream_inputs[:, span, None], self.stream_targets[:, span, None],
                          index, index == 0)

    def windows(self) -> Iterator[EchoWindow]:
        """The windows of the current stream, in order."""
        for index in range(self.n_windows):
            yield self.window_at(index)

    def as_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """All windows stacked: inputs and targets (n_windows, B, T, 1) float32."""
        shape = (self.batch_size, self.n_windows, self.window, 1)
        inputs = self.stream_inputs.reshape(shape).transpose(1, 0, 2, 3)
        targets = self.stream_targets.reshape(shape).transpose(1, 0, 2, 3)
        return inputs, targets

    def __repr__(self) -> str:
        return (f"EchoStream(batch_size={self.batch_size}, window={self.window}, "
                f"echo_step={self.echo_step}, n_windows={self.n_windows})")


def generate_echo(batch_size: int, window: int, echo_step: int, n_windows: int, *,
                  seed: SeedLike) -> tuple[np.ndarray, np.ndarray]:
    """All windows of one fresh stream: inputs and targets (n_windows, B, T, 1) float32.

    Window ``w`` continues window ``w - 1`` for every row ``b``: feed them in
    order to a stateful model and reset its state before the next call's data.
    """
    return EchoStream(batch_size, window, echo_step, n_windows, seed=seed).as_arrays()


def border_crossing_fraction(window: int, echo_step: int) -> float:
    """Fraction of steps in a window whose target lies in an earlier window.

    A model whose state is reset at every window must guess these (accuracy
    1/2 on them), so its best per-step accuracy is ``1 - fraction / 2``.
    """
    window = check_int("window", window, minimum=1)
    echo_step = check_int("echo_step", echo_step, minimum=1)
    return min(echo_step, window) / window
