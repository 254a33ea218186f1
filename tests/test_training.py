"""Training and inspection helpers."""

from __future__ import annotations

import numpy as np
import pytest

from rnncourse.environment import import_keras_quietly
from rnncourse.layers import ScratchLSTMCell
from rnncourse.reference import rnn_backward, rnn_forward
from rnncourse.training import (
    decoder_inputs_from_targets,
    exponential_schedule,
    fit_quietly,
    fit_recording_gradient_norms,
    fit_stateful_windows,
    fit_truncated_bptt,
    global_norm,
    gradient_norms_through_time,
    greedy_decode,
    hidden_state_gradient_norms,
    inverse_sigmoid_schedule,
    keras_step_function,
    linear_schedule,
    reset_rnn_states,
    teacher_forcing_probability,
    train_and_evaluate,
)

keras = import_keras_quietly()

RNG = np.random.default_rng(0)


def _regression_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((5, 2)), keras.layers.SimpleRNN(4),
                              keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


def test_fit_quietly_prints_one_short_line_every_few_epochs(capsys):
    x = RNG.normal(size=(32, 5, 2)).astype("float32")
    y = x.sum(axis=(1, 2))[:, None]
    history = fit_quietly(_regression_model(), x, y, epochs=6, batch_size=16, print_every=3,
                          name="rnn")
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines == [line for line in lines if line.startswith("rnn: epoch")]
    assert len(lines) == 2 and "epoch 6/6" in lines[-1] and "loss" in lines[-1]
    assert len(history.history["loss"]) == 6
    history, results = train_and_evaluate(_regression_model(), (x, y), (x, y), epochs=2,
                                          print_every=0)
    assert capsys.readouterr().out == ""
    assert set(results) >= {"loss", "mae"}


def _stateful_model(batch, window):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((window, 1), batch_size=batch)
    h = keras.layers.RNN(ScratchLSTMCell(8), stateful=True, return_sequences=True)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(h))
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    return model


def test_fit_stateful_windows_resets_at_stream_boundaries(monkeypatch):
    batch, window = 4, 5
    model = _stateful_model(batch, window)
    layer = model.layers[1]
    calls = []
    original = layer.reset_state
    monkeypatch.setattr(layer, "reset_state", lambda: (calls.append(1), original())[1])
    x = RNG.normal(size=(6, batch, window, 1)).astype("float32")
    history = fit_stateful_windows(model, x, x, epochs=3, windows_per_stream=3)
    # per epoch: windows 0 and 3 start streams; plus one reset before training starts
    assert len(calls) == 1 + 3 * 2
    assert len(history["loss"]) == 3 and history["loss"][-1] < history["loss"][0]
    assert reset_rnn_states(model) == 1
    with pytest.raises(ValueError, match="stateful=True"):
        fit_stateful_windows(_regression_model(), x, x)


def _echo_windows(delay, window, streams=8, length=240, seed=0):
    bits = np.random.default_rng(seed).integers(0, 2, size=(streams, length)).astype("float32")
    target = np.zeros_like(bits)
    target[:, delay:] = bits[:, :-delay]
    cut = lambda a: a.reshape(streams, -1, window, 1).transpose(1, 0, 2, 3)  # noqa: E731
    return cut(bits), cut(target)


def _window_model(window, units=16):
    keras.utils.set_random_seed(1)
    x = keras.Input((window, 1))
    h0 = keras.Input((units,))
    seq, h = keras.layers.GRU(units, return_sequences=True, return_state=True)(
        x, initial_state=[h0])
    y = keras.layers.Dense(1, activation="sigmoid")(seq)
    return keras.Model([x, h0], [y, h])


def test_truncated_bptt_with_carried_state_learns_an_echo_across_window_borders():
    delay, window, units = 3, 4, 16
    x, y = _echo_windows(delay, window)
    losses = {}
    for carry in (True, False):
        result = fit_truncated_bptt(
            _window_model(window, units), x, y, initial_states=[np.zeros((8, units))],
            loss_fn=keras.losses.binary_crossentropy, optimizer=keras.optimizers.Adam(0.02),
            epochs=6, carry_state=carry)
        losses[carry] = result["loss"][-1]
    # without the carried state 3 of 4 targets are unknowable: loss near ln 2 for those
    assert losses[False] > 0.4
    assert losses[True] < 0.5 * losses[False]


def test_numpy_gradient_norms_decay_geometrically_for_a_contracting_matrix():
    q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(8, 8)))
    distances, small = gradient_norms_through_time(0.5 * q, steps=20)
    _, large = gradient_norms_through_time(1.5 * q, steps=20)
    assert distances[0] == 0 and len(small) == 20
    assert np.all(np.diff(small) < 0)
    assert small[10] <= 0.5**10 * small[0] * (1 + 1e-9)
    assert large[10] > 100 * small[10]


def test_keras_probe_matches_the_numpy_backward_pass():
    cell = keras.layers.SimpleRNNCell(5)
    x = RNG.normal(size=(3, 6, 2)).astype("float32")
    distances, norms = hidden_state_gradient_norms(cell, x)
    W_xh, W_hh, b = (w.astype("float64") for w in cell.get_weights())
    h0 = np.zeros((3, 5))
    h = rnn_forward(x.astype("float64"), h0, W_xh, W_hh, b)
    grads = rnn_backward(np.zeros_like(h), x, h0, h, W_xh, W_hh, dh_last=np.ones((3, 5)))
    expected = np.linalg.norm(grads["h"], axis=-1).mean(axis=0)[::-1]
    np.testing.assert_allclose(norms, expected, rtol=1e-4)
    _, cell_norms = hidden_state_gradient_norms(keras.layers.LSTMCell(4), x, state_index=1)
    assert np.all(np.isfinite(cell_norms)) and cell_norms[0] > 0


def test_recording_gradient_norms_per_step():
    x = RNG.normal(size=(40, 5, 2)).astype("float32")
    y = x.sum(axis=(1, 2))[:, None]
    model = _regression_model()
    record = fit_recording_gradient_norms(
        model, x, y, loss_fn=keras.losses.mean_squared_error,
        optimizer=keras.optimizers.SGD(0.01, global_clipnorm=1e-3), epochs=2, batch_size=16)
    assert len(record["grad_norm"]) == len(record["loss"]) == 2 * 3
    assert min(record["grad_norm"]) > 1e-3  # raw norms, recorded before clipping
    assert global_norm([np.array([3.0]), None, np.array([[4.0]])]) == pytest.approx(5.0)


def test_decoder_inputs_shift_targets_right():
    targets = np.array([[5, 6, 7], [8, 9, 1]])
    np.testing.assert_array_equal(decoder_inputs_from_targets(targets, 0),
                                  [[0, 5, 6], [0, 8, 9]])
    one_hot = np.eye(4)[[[1, 2], [3, 1]]]
    shifted = decoder_inputs_from_targets(one_hot, start_token=0)
    np.testing.assert_array_equal(shifted[:, 0], np.eye(4)[[0, 0]])
    np.testing.assert_array_equal(shifted[:, 1], one_hot[:, 0])
    with pytest.raises(ValueError, match="not a valid id"):
        decoder_inputs_from_targets(one_hot, start_token=4)


def test_schedules_end_points_monotonicity_and_validation():
    steps = np.arange(0, 500)
    for name, params in [("linear", {"k": 1.0, "c": 0.01, "epsilon": 0.1}),
                         ("exponential", {"k": 0.98}), ("inverse_sigmoid", {"k": 20.0})]:
        values = teacher_forcing_probability(steps, name, **params)
        assert np.all(np.diff(values) <= 0) and np.all((values >= 0) & (values <= 1))
        assert values[-1] < 0.11
    assert linear_schedule(0, k=0.9, c=0.1) == pytest.approx(0.9)
    assert linear_schedule(100, k=0.9, c=0.1, epsilon=0.2) == pytest.approx(0.2)
    assert exponential_schedule(0, k=0.5) == 1.0 and exponential_schedule(3, k=0.5) == 0.125
    assert inverse_sigmoid_schedule(0, k=1.0) == pytest.approx(0.5)
    assert inverse_sigmoid_schedule(1e6, k=5.0) == 0.0
    for bad in (lambda: exponential_schedule(1, k=1.0), lambda: inverse_sigmoid_schedule(1, k=0.5),
                lambda: linear_schedule(1, c=0.0), lambda: linear_schedule(-1),
                lambda: teacher_forcing_probability(1, "cosine")):
        with pytest.raises(ValueError):
            bad()


def test_greedy_decode_stops_at_end_token_or_max_length():
    vocabulary, end = 6, 5

    def step(tokens, states):  # next token = previous + 1; state counts steps
        scores = np.eye(vocabulary)[np.minimum(tokens + 1, end)]
        return scores, [states[0] + 1]

    out = greedy_decode(step, [np.zeros((2, 1))], start_token=0, end_token=end, max_length=10)
    np.testing.assert_array_equal(out, [[1, 2, 3, 4, 5]] * 2)
    short = greedy_decode(step, [np.zeros((1, 1))], start_token=0, end_token=end, max_length=3)
    np.testing.assert_array_equal(short, [[1, 2, 3]])
    started_late = greedy_decode(step, [np.zeros((1, 1))], start_token=3, end_token=end,
                                 max_length=10)
    np.testing.assert_array_equal(started_late, [[4, 5]])


def test_greedy_decode_with_a_keras_step_model():
    vocabulary, end = 5, 4
    tokens = keras.Input((1,), dtype="int32")
    state = keras.Input((3,))
    embedding = keras.layers.Embedding(vocabulary, vocabulary)
    scores = embedding(tokens)
    model = keras.Model([tokens, state], [scores, keras.layers.Identity()(state)])
    embedding.set_weights([np.roll(np.eye(vocabulary), 1, axis=1)])  # token t -> t + 1
    out = greedy_decode(keras_step_function(model), [np.zeros((2, 3), "float32")],
                        start_token=1, end_token=end, max_length=8)
    np.testing.assert_array_equal(out, [[2, 3, 4], [2, 3, 4]])
