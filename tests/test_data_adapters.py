"""PyDataset adapters (these tests import Keras)."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.data import adapters
from rnncourse.data.echo import EchoStream
from rnncourse.data.text import batch_stream


@pytest.fixture(scope="module")
def keras():
    from rnncourse.environment import import_keras_quietly

    return import_keras_quietly()


def test_temporal_order_dataset_honours_the_index(keras):
    data = adapters.temporal_order_dataset("easy", batch_size=8, batches_per_epoch=3, seed=5)
    assert isinstance(data, keras.utils.PyDataset)
    assert len(data) == 3
    x2, y2 = data[2]
    x0, _ = data[0]
    assert x2.shape == (8, 8, 8) and x2.dtype == np.float32 and y2.shape == (8,)
    assert np.array_equal(data[2][0], x2) and np.array_equal(data[-1][0], x2)
    assert not np.array_equal(x0, x2)
    again = adapters.temporal_order_dataset("easy", batch_size=8, batches_per_epoch=3, seed=5)
    assert np.array_equal(again[2][0], x2)
    data.set_epoch(1)
    assert not np.array_equal(data[2][0], x2)  # fresh data in the next epoch
    data.set_epoch(0)
    assert np.array_equal(data[2][0], x2)
    with pytest.raises(IndexError):
        data[3]


def test_fit_on_temporal_order_dataset(keras):
    data = adapters.temporal_order_dataset("easy", batch_size=16, batches_per_epoch=2, seed=0)
    model = keras.Sequential([keras.Input((8, 8)), keras.layers.SimpleRNN(4),
                              keras.layers.Dense(4, activation="softmax")])
    model.compile("rmsprop", "sparse_categorical_crossentropy")
    first_epoch = data[0][0]
    history = model.fit(data, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3
    assert data.epoch == 2
    data.set_epoch(0)
    assert np.array_equal(data[0][0], first_epoch)


def test_fixed_temporal_order_dataset_for_validation(keras):
    """Keras advances the validation data's epoch too: only fixed=True keeps it the same."""
    model = keras.Sequential([keras.Input((8, 8)), keras.layers.SimpleRNN(4),
                              keras.layers.Dense(4, activation="softmax")])
    model.compile(keras.optimizers.SGD(learning_rate=0.0), "sparse_categorical_crossentropy")
    train = adapters.temporal_order_dataset("easy", batch_size=16, batches_per_epoch=2, seed=0)
    val_losses = {}
    for fixed in (False, True):
        valid = adapters.temporal_order_dataset("easy", batch_size=16, batches_per_epoch=2,
                                                seed=1, fixed=fixed)
        first = valid[1][0]
        history = model.fit(train, validation_data=valid, epochs=3, verbose=0)
        val_losses[fixed] = history.history["val_loss"]
        assert np.array_equal(valid[1][0], first) == fixed
        assert valid.epoch == (0 if fixed else 2)
    # the weights never change (learning rate 0): only the validation data can move the loss
    assert len(set(val_losses[True])) == 1
    assert len(set(val_losses[False])) == 3
    with pytest.raises(TypeError, match="fixed"):
        adapters.temporal_order_dataset("easy", seed=0, fixed="yes")


def test_stream_windows_dataset_keeps_order(keras):
    batches = batch_stream(np.arange(200), batch_size=4, window=5)
    data = adapters.stream_windows_dataset(batches.inputs, batches.targets)
    assert len(data) == batches.n_windows
    for index in range(len(data)):
        x, y = data[index]
        assert np.array_equal(x, batches.inputs[index]) and np.array_equal(y, x + 1)
    data[0]
    with pytest.raises(ValueError, match="in order; pass shuffle=False"):
        data[5]


def _keras_version(keras) -> tuple[int, int]:
    major, minor = keras.__version__.split(".")[:2]
    return int(major), int(minor)


def test_stateful_fit_on_echo_dataset(keras):
    if _keras_version(keras) < (3, 15):
        # Documented in the adapters' docstrings; lesson 02 uses fit_stateful_windows instead.
        pytest.skip("Keras < 3.15 traces fit on a PyDataset with an unknown batch size, "
                    "which stateful layers refuse")
    data = adapters.echo_dataset(batch_size=2, window=5, echo_step=2, n_windows=4, seed=0)
    first_stream = data.inputs.copy()
    model = keras.Sequential([keras.Input(batch_shape=(2, 5, 1)),
                              keras.layers.SimpleRNN(3, stateful=True, return_sequences=True),
                              keras.layers.Dense(1)])
    model.compile("rmsprop", "mse")
    rnn = model.layers[0]
    model.fit(data, epochs=2, shuffle=False, verbose=0,
              callbacks=[adapters.reset_state_callback()])
    assert data.epoch == 1 and not np.array_equal(first_stream, data.inputs)
    assert np.abs(np.asarray(rnn.states[0])).sum() > 0  # state carried across windows
    callback = adapters.reset_state_callback()
    callback.set_model(model)
    callback.on_epoch_begin(0)
    assert np.abs(np.asarray(rnn.states[0])).sum() == 0
    stream = EchoStream(2, 5, 2, 4, seed=0)  # a plain seed draws another stream
    assert stream.as_arrays()[0].shape == data.inputs.shape


@pytest.mark.parametrize("call, message", [
    (lambda: adapters.temporal_order_dataset("medium", seed=0), "unknown level 'medium'"),
    (lambda: adapters.temporal_order_dataset(batch_size=0, seed=0), "batch_size"),
    (lambda: adapters.temporal_order_dataset(seed=-1), "seed"),
    (lambda: adapters.echo_dataset(2, 5, 0, 4, seed=0), "echo_step"),
    (lambda: adapters.stream_windows_dataset(np.zeros((3, 2)), np.zeros((3, 2))), "shape"),
])
def test_bad_arguments(keras, call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_lazy_access_from_the_package():
    import rnncourse.data as data

    assert data.temporal_order_dataset is adapters.temporal_order_dataset
    assert data.adapters is adapters
