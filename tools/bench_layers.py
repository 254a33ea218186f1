"""Time the from-scratch LSTM cell against keras.layers.LSTM (and NumPy against Keras).

Run: ``.venv/bin/python tools/bench_layers.py [--sequences 2048 --length 50 ...]``.

1. One training epoch of ``keras.layers.RNN(ScratchLSTMCell(units))`` and of
   ``keras.layers.LSTM(units)`` on the same data, in the same process; one
   warm-up epoch each first (tracing), then the median of ``--repeats`` epochs,
   alternating the two models. Target: the ratio scratch / built-in <= 1.5.
2. The NumPy reference forward + backward pass against the Keras layer's
   forward + GradientTape backward on one batch.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

from rnncourse.environment import import_keras_quietly

keras = import_keras_quietly()
import tensorflow as tf  # noqa: E402

from rnncourse.layers import ScratchLSTMCell  # noqa: E402
from rnncourse.reference import lstm_backward, lstm_forward  # noqa: E402


def build_model(recurrent_layer, length: int, features: int) -> keras.Model:
    model = keras.Sequential([
        keras.Input((length, features)),
        recurrent_layer,
        keras.layers.Dense(1),
    ])
    model.compile(optimizer="adam", loss="mse")
    return model


def time_epoch(model, x, y, batch_size: int) -> float:
    start = time.perf_counter()
    model.fit(x, y, epochs=1, batch_size=batch_size, verbose=0, shuffle=False)
    return time.perf_counter() - start


def time_call(function, repeats: int) -> float:
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequences", type=int, default=2048)
    parser.add_argument("--length", type=int, default=50)
    parser.add_argument("--features", type=int, default=8)
    parser.add_argument("--units", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(args.sequences, args.length, args.features)).astype("float32")
    y = x[:, :, 0].mean(axis=1, keepdims=True)

    builtin = build_model(keras.layers.LSTM(args.units), args.length, args.features)
    scratch = build_model(keras.layers.RNN(ScratchLSTMCell(args.units)), args.length,
                          args.features)
    scratch.set_weights(builtin.get_weights())
    for model in (builtin, scratch):  # warm-up: tracing and compilation
        time_epoch(model, x, y, args.batch_size)
    times = {"builtin": [], "scratch": []}
    for _ in range(args.repeats):
        times["builtin"].append(time_epoch(builtin, x, y, args.batch_size))
        times["scratch"].append(time_epoch(scratch, x, y, args.batch_size))
    t_builtin, t_scratch = (statistics.median(times[k]) for k in ("builtin", "scratch"))
    ratio = t_scratch / t_builtin
    print(f"One epoch, {args.sequences} sequences x {args.length} steps x {args.features} "
          f"features, {args.units} units, batch {args.batch_size} "
          f"(median of {args.repeats}):")
    print(f"  keras.layers.LSTM              {t_builtin * 1000:8.1f} ms")
    print(f"  RNN(ScratchLSTMCell)           {t_scratch * 1000:8.1f} ms")
    verdict = "OK" if ratio <= 1.5 else "TOO SLOW"
    print(f"  ratio scratch / built-in        {ratio:8.2f}  (target <= 1.5: {verdict})")

    # NumPy reference against Keras on one batch: forward + backward.
    layer = keras.layers.LSTM(args.units, return_sequences=True)
    xb = x[: args.batch_size]
    layer(xb)
    kernel, recurrent_kernel, bias = layer.get_weights()
    h0 = np.zeros((args.batch_size, args.units), dtype="float32")
    upstream = rng.normal(size=(args.batch_size, args.length, args.units)).astype("float32")

    def numpy_pass():
        h_all, _, cache = lstm_forward(xb, h0, h0, kernel, recurrent_kernel, bias,
                                       return_cache=True)
        return lstm_backward(upstream, cache)

    xb_tensor, upstream_tensor = tf.constant(xb), tf.constant(upstream)

    @tf.function
    def keras_pass():
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(xb_tensor) * upstream_tensor)
        return tape.gradient(loss, layer.trainable_variables)

    t_numpy = time_call(numpy_pass, args.repeats)
    t_keras = time_call(keras_pass, args.repeats)
    print(f"Forward + backward on one batch ({args.batch_size} x {args.length}):")
    print(f"  NumPy reference (lstm_forward + lstm_backward) {t_numpy * 1000:8.1f} ms")
    print(f"  keras.layers.LSTM + GradientTape (tf.function)  {t_keras * 1000:8.1f} ms")
    print(f"  ratio NumPy / Keras                             {t_numpy / t_keras:8.2f}")
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
