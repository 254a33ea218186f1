"""``keras.utils.PyDataset`` adapters for the tasks that stream.

This is the only module of :mod:`rnncourse.data` that needs Keras; it imports
it when a data set is first built, through
:func:`rnncourse.environment.import_keras_quietly`. The PyDataset classes are
created on first use (a subclass needs the Keras base class when it is
defined), so ``import rnncourse.data.adapters`` itself stays cheap.

- :func:`temporal_order_dataset`: fresh temporal-order batches every epoch.
  Batch ``index`` of epoch ``e`` is drawn from a generator seeded with
  ``(seed, e, index)``, so ``dataset[index]`` always returns the same batch
  within an epoch, whatever order Keras asks for the batches in, and the run
  is reproducible. The epoch advances in ``on_epoch_begin``, which ``fit``
  calls once per epoch (Keras also calls ``on_epoch_end`` when it resets its
  iterator, so that hook does not count epochs); outside ``fit`` use
  ``set_epoch``. With ``fixed=True`` it serves the same batches every epoch
  (those of epoch 0): use that for ``validation_data``, whose losses are only
  comparable from epoch to epoch if the data stay the same.
- :func:`stream_windows_dataset`: the windows of one stream, in order, for a
  stateful model trained with truncated BPTT (from :func:`~rnncourse.data.text.batch_stream`
  or :class:`~rnncourse.data.echo.EchoStream`). Pass ``shuffle=False`` to
  ``fit`` (Keras shuffles PyDataset batches otherwise); a window asked for out
  of order raises ValueError saying so.
- :func:`echo_dataset`: one fresh echo stream per epoch, windows in order.
- :func:`reset_state_callback`: a callback that resets stateful layers at the
  start of every epoch (Keras 3 does not do it by itself).

Example::

    data = temporal_order_dataset("easy", batch_size=32, batches_per_epoch=31, seed=0)
    model.fit(data, epochs=10)
"""

from __future__ import annotations

import functools

import numpy as np

from ._checks import check_choice, check_int
from ._random import derived_generator
from .echo import EchoStream
from .temporal_order import PADDINGS, TemporalOrderLevel, generate_temporal_order, get_level


def _keras():
    from rnncourse.environment import import_keras_quietly

    return import_keras_quietly()


@functools.cache
def _classes() -> dict[str, type]:
    """Build the PyDataset subclasses once, when Keras is first needed."""
    keras = _keras()

    class TemporalOrderDataset(keras.utils.PyDataset):
        """Fresh temporal-order batches; batch (epoch, index) is seeded by (seed, epoch, index)."""

        def __init__(self, level, batch_size, batches_per_epoch, seed, padding, fixed,
                     **kwargs):
            super().__init__(**kwargs)
            self.fixed = fixed
            self.level = level
            self.batch_size = batch_size
            self.batches_per_epoch = batches_per_epoch
            self.seed = seed
            self.padding = padding
            self.epoch = 0
            self._epochs_begun = 0

        def __len__(self):
            return self.batches_per_epoch

        def __getitem__(self, index):
            index = _check_index(index, len(self))
            rng = derived_generator(self.seed, self.epoch, index)
            data = generate_temporal_order(self.batch_size, self.level, seed=rng,
                                           padding=self.padding)
            return data.inputs, data.labels

        def on_epoch_begin(self):
            self._epochs_begun += 1
            if not self.fixed:  # a fixed data set replays the same batches every epoch
                self.set_epoch(max(self._epochs_begun - 1, 0))

        def set_epoch(self, epoch):
            """Serve the batches of ``epoch`` (Keras's ``fit`` advances it itself,
            unless the data set was made with ``fixed=True``)."""
            self.epoch = check_int("epoch", epoch, minimum=0)

    class StreamWindowsDataset(keras.utils.PyDataset):
        """Window ``index`` of (inputs, targets) shaped (n_windows, B, T, ...), read in order."""

        def __init__(self, inputs, targets, **kwargs):
            super().__init__(**kwargs)
            self.set_windows(inputs, targets)

        def set_windows(self, inputs, targets):
            inputs, targets = np.asarray(inputs), np.asarray(targets)
            if inputs.ndim < 3 or inputs.shape[:2] != targets.shape[:2]:
                raise ValueError(
                    "inputs and targets must have shape (n_windows, B, T, ...) with the same "
                    f"first two sizes, got {inputs.shape} and {targets.shape}"
                )
            if inputs.shape[0] == 0:
                raise ValueError("there must be at least one window")
            self.inputs, self.targets = inputs, targets
            self._last_index = -1

        def __len__(self):
            return self.inputs.shape[0]

        def __getitem__(self, index):
            index = _check_index(index, len(self))
            if index not in (0, self._last_index, self._last_index + 1):
                raise ValueError(
                    f"window {index} was asked for after window {self._last_index}: stream "
                    "windows must be read in order; pass shuffle=False to model.fit"
                )
            self._last_index = index
            return self.inputs[index], self.targets[index]

    class EchoDataset(StreamWindowsDataset):
        """One echo stream per epoch, windows in order; stream e is seeded by (seed, e)."""

        def __init__(self, batch_size, window, echo_step, n_windows, seed, **kwargs):
            self.stream_settings = (batch_size, window, echo_step, n_windows)
            self.seed = seed
            self.epoch = 0
            self._epochs_begun = 0
            super().__init__(*self._stream_arrays(), **kwargs)

        def _stream_arrays(self):
            stream = EchoStream(*self.stream_settings,
                                seed=derived_generator(self.seed, self.epoch))
            return stream.as_arrays()

        def on_epoch_begin(self):
            self._epochs_begun += 1
            self.set_epoch(max(self._epochs_begun - 1, 0))

        def set_epoch(self, epoch):
            """Serve stream ``epoch`` (Keras's ``fit`` advances it itself)."""
            epoch = check_int("epoch", epoch, minimum=0)
            if epoch != self.epoch:
                self.epoch = epoch
                self.set_windows(*self._stream_arrays())

    class ResetStatefulLayers(keras.callbacks.Callback):
        """Reset every stateful recurrent layer at the start of each epoch."""

        def on_epoch_begin(self, epoch, logs=None):
            for layer in _all_layers(self.model):
                if getattr(layer, "stateful", False) and hasattr(layer, "reset_state"):
                    layer.reset_state()

    return {"TemporalOrderDataset": TemporalOrderDataset,
            "StreamWindowsDataset": StreamWindowsDataset, "EchoDataset": EchoDataset,
            "ResetStatefulLayers": ResetStatefulLayers}


def _all_layers(model):
    for layer in getattr(model, "layers", []):
        yield layer
        yield from _all_layers(layer)


def _check_index(index, length: int) -> int:
    index = check_int("index", index)
    if not -length <= index < length:
        raise IndexError(f"index {index} is out of range for {length} batches")
    return index % length


def temporal_order_dataset(level: str | TemporalOrderLevel = "easy", *, batch_size: int = 32,
                           batches_per_epoch: int = 31, seed: int, padding: str = "pre",
                           fixed: bool = False, **pydataset_options):
    """A PyDataset of ``batches_per_epoch`` fresh batches per epoch, seeded per
    (seed, epoch, index). Items are (inputs (B, T, 8) float32, labels (B,) int64).

    ``fixed=True`` serves the same batches (those of epoch 0) in every epoch.
    Use it for a data set passed as ``validation_data``: Keras calls the
    validation data's ``on_epoch_begin`` too, so without ``fixed`` every epoch
    would be validated on new sequences and the validation losses of two epochs
    would not measure the model on the same data. Give validation its own
    ``seed`` (not the training seed), or it sees the training batches of epoch 0.

    ``pydataset_options`` (``workers``, ``use_multiprocessing``,
    ``max_queue_size``) go to ``keras.utils.PyDataset``. The epoch counter lives
    in the data set object, so keep ``use_multiprocessing=False`` (the default)
    for fresh data every epoch.
    """
    level = get_level(level)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    batches_per_epoch = check_int("batches_per_epoch", batches_per_epoch, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    check_choice("padding", padding, PADDINGS)
    if not isinstance(fixed, bool):
        raise TypeError(f"fixed must be True or False, got {fixed!r}")
    cls = _classes()["TemporalOrderDataset"]
    return cls(level, batch_size, batches_per_epoch, seed, padding, fixed, **pydataset_options)


def stream_windows_dataset(inputs: np.ndarray, targets: np.ndarray, **pydataset_options):
    """A PyDataset that serves ``(inputs[i], targets[i])`` for window ``i``, in order.

    For stateful truncated BPTT: the batch size of the model must be ``B``,
    ``fit`` needs ``shuffle=False``, and the model's state should be reset at
    the start of every epoch (each epoch replays the stream from its start).

    Needs Keras 3.15 or newer for a *stateful* model: Keras 3.13 (what Colab
    ships) traces ``fit`` on a PyDataset with an unknown batch size, which a
    stateful layer refuses (``OperatorNotAllowedInGraphError``). On any
    version, :func:`rnncourse.training.fit_stateful_windows` trains a stateful
    model on the same windows.
    """
    cls = _classes()["StreamWindowsDataset"]
    return cls(inputs, targets, **pydataset_options)


def echo_dataset(batch_size: int, window: int, echo_step: int, n_windows: int, *, seed: int,
                 **pydataset_options):
    """A PyDataset whose epoch ``e`` is one fresh echo stream seeded by ``(seed, e)``.

    Items are (inputs, targets) of shape (B, T, 1) float32, in window order.
    Reset the model's state at the start of every epoch (a new stream begins).

    Needs Keras 3.15 or newer for a *stateful* model: Keras 3.13 (what Colab
    ships) traces ``fit`` on a PyDataset with an unknown batch size, which a
    stateful layer refuses (``OperatorNotAllowedInGraphError``). On any
    version, :func:`rnncourse.training.fit_stateful_windows` trains a stateful
    model on the same windows.
    """
    seed = check_int("seed", seed, minimum=0)
    # validate the settings now, with readable errors, before building the class
    EchoStream(batch_size, window, echo_step, n_windows, seed=seed)
    cls = _classes()["EchoDataset"]
    return cls(batch_size, window, echo_step, n_windows, seed, **pydataset_options)


def reset_state_callback():
    """A ``keras.callbacks.Callback`` that resets every stateful recurrent layer
    (``layer.reset_state()``) at the start of each epoch, i.e. of each stream."""
    return _classes()["ResetStatefulLayers"]()
