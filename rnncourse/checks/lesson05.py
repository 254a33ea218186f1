"""Checks for lesson 05: bidirectional and stacked RNNs.

The NumPy exercises are compared with reference answers built from
:func:`rnncourse.reference.rnn_forward`, and with the answers that typical
mistakes give (each differing from the right one in one term). The two Keras
exercises are run in the learner's process (``run``): the tagger is trained
briefly on the tagging task, the residual stack gets the check's own weights so
that its output can be recomputed in NumPy.
"""

from __future__ import annotations

import numpy as np

from rnncourse.checks.core import Failure, compare_arrays, describe, distinct_sizes, rnn_weights
from rnncourse.checks.exercise import Exercise, register
from rnncourse.reference.bidirectional import (
    MERGE_MODES,
    bidirectional_rnn_forward,
    merge_directions,
    reverse_padded,
)
from rnncourse.reference.gru import gru_forward
from rnncourse.reference.lstm import lstm_forward
from rnncourse.reference.simple_rnn import rnn_forward

# --------------------------------------------------------------------------- merging


def _bidirectional_mistakes(x, fw, bw, merge_mode):
    zeros = np.zeros((x.shape[0], fw[1].shape[0]))
    forward = rnn_forward(x, zeros, *fw)
    backward = rnn_forward(x[:, ::-1], zeros, *bw)[:, ::-1]
    not_flipped_back = rnn_forward(x[:, ::-1], zeros, *bw)
    not_reversed = rnn_forward(x, zeros, *bw)
    mistakes = [
        (
            "the backward states are in reversed time order: after running the backward RNN on "
            "x[:, ::-1], flip its states back (states[:, ::-1]) so that position t of both "
            "directions refers to input t.",
            merge_directions(forward, not_flipped_back, merge_mode),
        ),
        (
            "the backward direction did not read the sequence reversed: run it on x[:, ::-1] "
            "(and flip its states back).",
            merge_directions(forward, not_reversed, merge_mode),
        ),
        (
            "the backward RNN read the sequence forwards and only its output was flipped: "
            "reverse the input x[:, ::-1] before running it, then flip the states back.",
            merge_directions(forward, not_reversed[:, ::-1], merge_mode),
        ),
        (
            "both directions seem to use the forward weights: the backward RNN has its own "
            "backward_weights.",
            merge_directions(forward, rnn_forward(x[:, ::-1], zeros, *fw)[:, ::-1], merge_mode),
        ),
        (
            "the forward and backward weights seem swapped.",
            merge_directions(
                rnn_forward(x, zeros, *bw), rnn_forward(x[:, ::-1], zeros, *fw)[:, ::-1], merge_mode
            ),
        ),
    ]
    if merge_mode == "concat":
        mistakes += [
            (
                "the two halves are in the wrong order: Keras puts the forward states first, "
                "[forward, backward].",
                np.concatenate([backward, forward], axis=-1),
            ),
            (
                "you concatenated along the time axis; concatenate the features (axis=-1).",
                np.concatenate([forward, backward], axis=1),
            ),
            (
                "you concatenated along the batch axis; concatenate the features (axis=-1).",
                np.concatenate([forward, backward], axis=0),
            ),
            ("you returned only the forward states; concat joins both directions.", forward),
        ]
    for other in MERGE_MODES:
        if other != merge_mode:
            mistakes.append(
                (
                    f"you computed the {other!r} merge; merge_mode is {merge_mode!r}.",
                    merge_directions(forward, backward, other),
                )
            )
    return mistakes


@register
class BidirectionalRnnForward(Exercise):
    """``bidirectional_rnn_forward(x, forward_weights, backward_weights, merge_mode)``."""

    name = "bidirectional_rnn_forward"
    lesson = "05"
    input_names = ("x", "forward_weights", "backward_weights", "merge_mode")

    def cases(self, rng):
        cases = []
        for merge_mode in MERGE_MODES:
            batch, steps, input_dim, units = distinct_sizes(rng, 4, 2, 8)
            x = rng.normal(size=(batch, steps, input_dim))
            cases.append(
                (
                    x,
                    rnn_weights(rng, input_dim, units),
                    rnn_weights(rng, input_dim, units),
                    merge_mode,
                )
            )
        return cases

    def judge(self, case, value):
        x, fw, bw, merge_mode = case
        compare_arrays(
            value,
            bidirectional_rnn_forward(*case),
            _bidirectional_mistakes(*case),
            what=f"the merged states (merge_mode={merge_mode!r})",
        )


# --------------------------------------------------------------------------- padded reversal


def _shifted_reverse(x, lengths, delta):
    out = np.array(x, dtype=float)
    for b, length in enumerate(np.asarray(lengths).tolist()):
        n = min(max(length + delta, 0), x.shape[1])
        out[b, :n] = x[b, :n][::-1]
    return out


@register
class ReversePadded(Exercise):
    """``reverse_padded(x, lengths) -> x with each sequence reversed within its length``.

    Every case holds a full row (no padding), an empty row (length 0) and a
    padded row, the edge cases the lesson names (an answer that slices
    ``x[b, n - 1::-1]`` fails on the empty row, with the line it raised on).
    The lesson says not to modify the arrays given: both inputs are read-only.
    """

    name = "reverse_padded"
    lesson = "05"
    input_names = ("x", "lengths")
    read_only_inputs = ("x", "lengths")

    def cases(self, rng):
        cases = []
        for _ in range(3):
            batch, steps, features = distinct_sizes(rng, 3, 3, 9)
            lengths = rng.integers(1, steps + 1, size=batch)
            lengths[0] = steps  # one full-length row
            lengths[1] = max(1, steps - 2)  # one padded row at least
            lengths[2] = 0  # one empty row
            order = rng.permutation(batch)  # the edge cases anywhere in the batch
            lengths = lengths[order]
            x = rng.normal(size=(batch, steps, features))
            x[np.arange(steps)[None, :] >= lengths[:, None]] = 0.0  # zero padding
            cases.append((x, lengths))
        return cases

    def judge(self, case, value):
        x, lengths = case
        mistakes = [
            (
                "you reversed the padding too: the padding moved to the front. Reverse only the "
                "first lengths[b] steps of row b and leave the padding where it is.",
                x[:, ::-1],
            ),
            ("nothing was reversed.", x),
            (
                "you reversed one step too few: the first lengths[b] steps are x[b, :lengths[b]].",
                _shifted_reverse(x, lengths, -1),
            ),
            (
                "you reversed one step too many, taking in a padding step.",
                _shifted_reverse(x, lengths, +1),
            ),
            ("you reversed the batch axis (axis 0); time is axis 1.", x[::-1]),
            ("you reversed the feature axis; time is axis 1.", x[..., ::-1]),
        ]
        compare_arrays(value, reverse_padded(x, lengths), mistakes, what="the reversed batch")


# --------------------------------------------------------------------------- residual stack


def _all_layers(model):
    for layer in getattr(model, "layers", []):
        yield layer
        yield from _all_layers(layer)


@register
class BuildBidirectionalTagger(Exercise):
    """``build_bidirectional_tagger(vocab_size, n_tags, units) -> keras.Model``.

    ``run`` inspects the model (a Bidirectional layer, the output shape, a
    softmax), then compiles it, trains it briefly on the tagging task and
    returns the test accuracy with the left-to-right ceiling.
    """

    name = "build_bidirectional_tagger"
    lesson = "05"
    # One case costs 4-5 s of CPU time (GRU or LSTM, mostly tracing). Measured with two
    # checks at once on a shared 2-core machine (load average about 19): 47-72 s of wall
    # time. The limit leaves three times that, so that `rnncourse grade --jobs 2` never
    # times out a right answer.
    time_limit = 240.0

    def cases(self, rng):
        # never 16, the width the lesson's own tagger uses: a hard-coded 16 fails
        return [(int(rng.integers(1 << 30)), int(rng.choice(TAGGER_UNITS)))]

    def run(self, function, case):
        from rnncourse.data import TaggingTask
        from rnncourse.environment import import_keras_quietly

        keras = import_keras_quietly()
        seed, units = case
        task = TaggingTask(length=TAGGER_LENGTH)
        n_words, n_tags = len(task.words), len(task.tags)
        keras.utils.set_random_seed(seed % (1 << 31))
        model = function(n_words, n_tags, units)
        if not isinstance(model, keras.Model):
            return {"type": type(model).__name__}
        wrappers = [
            layer for layer in _all_layers(model) if isinstance(layer, keras.layers.Bidirectional)
        ]
        train = task.generate(TAGGER_TRAIN, seed=seed)
        test = task.generate(TAGGER_TEST, seed=seed + 1)
        probe = keras.ops.convert_to_numpy(model(train.tokens[:3]))
        result = {
            "type": "Model",
            "bidirectional": bool(wrappers),
            "units": [int(getattr(w.forward_layer, "units", -1)) for w in wrappers],
            "shape": list(probe.shape),
            "length": TAGGER_LENGTH,
            "n_tags": n_tags,
            "softmax": bool(
                probe.ndim >= 2
                and np.all(probe >= 0)
                and np.allclose(probe.sum(-1), 1.0, atol=1e-3)
            ),
            "ceiling": task.causal_ceiling(),
            "accuracy": None,
        }
        if not (
            result["bidirectional"]
            and result["softmax"]
            and list(probe.shape) == [3, TAGGER_LENGTH, n_tags]
            and units in result["units"]
        ):
            return result  # the judge names what is wrong without training
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
        model.fit(train.tokens, train.tags, epochs=TAGGER_EPOCHS, batch_size=64, verbose=0)
        predicted = keras.ops.convert_to_numpy(model.predict(test.tokens, verbose=0))
        result["accuracy"] = float((predicted.argmax(-1) == test.tags).mean())
        return result

    def judge(self, case, value):
        if not isinstance(value, dict) or value.get("type") != "Model":
            kind = value.get("type") if isinstance(value, dict) else describe(value)
            raise Failure(
                f"return a keras.Model (for example keras.Sequential or a functional "
                f"keras.Model); you returned {kind}."
            )
        if not value.get("bidirectional"):
            raise Failure(
                "there is no Bidirectional layer: wrap the recurrent layer in "
                "keras.layers.Bidirectional so that each tag can see the next word."
            )
        seed, units = case
        widths = [int(v) for v in np.asarray(value.get("units", [])).tolist()]
        if widths and units not in widths:
            raise Failure(
                f"the recurrent layer inside Bidirectional has {widths[0]} units; "
                f"give it the `units` argument ({units} in this test), not a fixed "
                "number."
            )
        shape = [int(v) for v in np.asarray(value.get("shape", [])).tolist()]
        length, n_tags = int(value["length"]), int(value["n_tags"])
        if shape == [3, n_tags]:
            raise Failure(
                "return_sequences is False: one tag per sentence instead of one per "
                "token. Give the recurrent layer return_sequences=True."
            )
        if len(shape) == 3 and shape[:2] == [3, length] and shape[2] != n_tags:
            raise Failure(
                f"the output layer has {shape[2]} units; it needs one per tag, n_tags = {n_tags}."
            )
        if shape != [3, length, n_tags]:
            raise Failure(
                f"on a batch of 3 sentences of {length} words the output has shape "
                f"{tuple(shape)}; expected (3, {length}, {n_tags})."
            )
        if not value.get("softmax"):
            raise Failure(
                "the output layer is not softmax over the tags: its outputs do not "
                "sum to 1. Use Dense(n_tags, activation='softmax')."
            )
        accuracy, ceiling = float(value["accuracy"]), float(value["ceiling"])
        if accuracy <= ceiling + TAGGER_MARGIN:
            raise Failure(
                f"after {TAGGER_EPOCHS} epochs your tagger reaches {accuracy:.3f} per word, not "
                f"above the left-to-right ceiling {ceiling:.3f} + {TAGGER_MARGIN}. Check that "
                "the Bidirectional layer feeds the output layer."
            )


_GATES = {"SimpleRNN": 1, "GRU": 3, "LSTM": 4}


def stack_weights(seed: int, types, units: int):
    """The weights the check puts into each recurrent layer of the learner's stack."""
    weights = []
    for k, kind in enumerate(types):
        rng = np.random.default_rng([seed, k])
        gates = _GATES[kind]
        bias_shape = (2, 3 * units) if kind == "GRU" else (gates * units,)
        weights.append(
            [
                rng.normal(0.0, 0.5, (units, gates * units)).astype("float32"),
                rng.normal(0.0, 0.5, (units, gates * units)).astype("float32"),
                rng.normal(0.0, 0.2, bias_shape).astype("float32"),
            ]
        )
    return weights


def _layer_forward(kind, h, weights):
    zeros = np.zeros((h.shape[0], weights[1].shape[0]))
    if kind == "SimpleRNN":
        return rnn_forward(h, zeros, *weights)
    if kind == "GRU":
        return gru_forward(h, zeros, *weights)
    return lstm_forward(h, zeros, zeros, *weights)[0]


def residual_stack_forward(x, types, weights, skip=None):
    """Reference: h_k = h_{k-1} + RNN_k(h_{k-1}); ``skip[k]`` False drops layer k's skip."""
    h = np.asarray(x, dtype=np.float64)
    for k, (kind, w) in enumerate(zip(types, weights)):
        out = _layer_forward(kind, h, w)
        h = h + out if (skip is None or skip[k]) else out
    return h


def _from_input_each_layer(x, types, weights):
    h = np.asarray(x, dtype=np.float64)
    for kind, w in zip(types, weights):
        h = x + _layer_forward(kind, h, w)
    return h


@register
class ResidualRnnStack(Exercise):
    """``residual_rnn_stack(inputs, units, depth) -> Keras tensor``.

    ``run`` wraps the learner's function into a model, replaces the weights of
    its recurrent layers with :func:`stack_weights` and returns its output on
    the case's ``x`` with the layer types, so that the judge can recompute it.
    """

    name = "residual_rnn_stack"
    lesson = "05"
    time_limit = 60.0

    def cases(self, rng):
        cases = []
        for depth in (2, 3):
            batch, steps, units = distinct_sizes(rng, 3, 2, 7)
            x = rng.normal(0.0, 0.5, (batch, steps, units)).astype("float32")
            cases.append((int(rng.integers(1 << 30)), x, units, depth))
        return cases

    def run(self, function, case):
        from rnncourse.environment import import_keras_quietly

        keras = import_keras_quietly()
        seed, x, units, depth = case
        inputs = keras.Input((None, units))
        outputs = function(inputs, units, depth)
        model = keras.Model(inputs, outputs)
        recurrent = [layer for layer in model.layers if isinstance(layer, keras.layers.RNN)]
        bidirectional = any(isinstance(layer, keras.layers.Bidirectional) for layer in model.layers)
        types = [type(layer).__name__ for layer in recurrent]
        extras = [
            type(layer).__name__
            for layer in model.layers
            if "Dropout" in type(layer).__name__ or "Normalization" in type(layer).__name__
        ]
        extras += [
            f"{type(layer).__name__}({name}={getattr(layer, name)})"
            for layer in recurrent
            for name in ("dropout", "recurrent_dropout")
            if getattr(layer, name, 0.0)
        ]
        result = {
            "types": types,
            "bidirectional": bidirectional,
            "extras": extras,
            "return_sequences": [bool(layer.return_sequences) for layer in recurrent],
            "output": None,
        }
        if bidirectional or any(kind not in _GATES for kind in types):
            return result
        for layer, weights in zip(recurrent, stack_weights(seed, types, units)):
            layer.set_weights(weights)
        result["output"] = model(x)
        return result

    def judge(self, case, value):
        seed, x, units, depth = case
        if not isinstance(value, dict) or "types" not in value:
            raise Failure(f"expected the stack's output tensor, got {describe(value)}.")
        types = list(value["types"])
        if value.get("bidirectional"):
            raise Failure(
                "the stack contains a Bidirectional layer: use plain "
                "unidirectional recurrent layers here."
            )
        others = [kind for kind in types if kind not in _GATES]
        if others:
            raise Failure(f"use keras.layers.SimpleRNN, GRU or LSTM layers; found {others[0]}.")
        extras = [str(e) for e in value.get("extras", [])]
        if extras:
            raise Failure(
                f"the stack has {', '.join(extras)}: the exercise asks for recurrent "
                "layers and residual connections only, no dropout or normalisation."
            )
        if len(types) == 1 < depth and self._one_layer_reused(case, types, value.get("output")):
            raise Failure(
                f"your stack calls one recurrent layer object {depth} times, so every "
                "level shares the same weights: create a new layer inside the loop."
            )
        if len(types) != depth:
            raise Failure(
                f"depth={depth} asks for {depth} recurrent layers; your stack has {len(types)}."
            )
        flags = list(value.get("return_sequences", []))
        if not all(flags):
            where = flags.index(False) + 1
            raise Failure(
                f"recurrent layer {where} has return_sequences=False: every layer of a "
                "stack must return the whole sequence, (batch, time, units)."
            )
        weights = stack_weights(seed, types, units)
        right = residual_stack_forward(x, types, weights)
        no_last = [True] * (depth - 1) + [False]
        only_last = [False] * (depth - 1) + [True]
        mistakes = [
            (
                "there is no residual connection: your output is a plain stack "
                "h_k = RNN_k(h_{k-1}). Add each layer's input to its output.",
                residual_stack_forward(x, types, weights, skip=[False] * depth),
            ),
            (
                "the last layer has no skip connection: add its input to its output too.",
                residual_stack_forward(x, types, weights, skip=no_last),
            ),
            (
                "only the last layer has a skip connection: every layer needs one.",
                residual_stack_forward(x, types, weights, skip=only_last),
            ),
            (
                "every layer adds the stack's original input; a residual connection adds the "
                "layer's own input h_{k-1}: h_k = h_{k-1} + RNN_k(h_{k-1}).",
                _from_input_each_layer(x, types, weights),
            ),
        ]
        compare_arrays(
            value.get("output"), right, mistakes, what="the stack's output", rtol=1e-4, atol=1e-4
        )  # Keras computes in float32, over several layers

    @staticmethod
    def _one_layer_reused(case, types, output) -> bool:
        """Whether ``output`` is one layer's weights applied at every level."""
        seed, x, units, depth = case
        weights = stack_weights(seed, types, units) * depth
        reused = residual_stack_forward(x, types * depth, weights)
        return (
            isinstance(output, np.ndarray)
            and output.shape == reused.shape
            and bool(np.allclose(output, reused, rtol=1e-4, atol=1e-4))
        )


# --------------------------------------------------------------------------- the tagger

#: Settings of the tagger check: small data, a few epochs, fixed seeds. The widths drawn
#: are never the lesson's 16, so that a hard-coded width fails. Right answers (GRU and LSTM,
#: 12 or 20 units) reach 0.99-1.00 against a ceiling of 0.892.
TAGGER_LENGTH = 12
TAGGER_TRAIN, TAGGER_TEST, TAGGER_EPOCHS, TAGGER_UNITS = 800, 400, 4, (12, 20)
TAGGER_MARGIN = 0.05
