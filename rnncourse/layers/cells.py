r"""Recurrent cells written from scratch with ``keras.ops``.

Each cell computes one time step, ``call(inputs, states) -> (output, new_states)``;
``keras.layers.RNN(cell)`` runs it over a sequence and brings
``return_sequences``, ``return_state``, ``stateful``, masking and
``Bidirectional`` for free. Weights have Keras's names and layouts
(``kernel``, ``recurrent_kernel``, ``bias``), so
``scratch.set_weights(builtin.get_weights())`` works and the outputs agree with
``keras.layers.SimpleRNN`` / ``LSTM`` / ``GRU`` to float32 rounding.

For speed every gate comes out of one fused matrix product per kernel,

.. math::

    z_t = x_t W + h_{t-1} U + b = [\, z^{(1)}_t \mid \dots \mid z^{(k)}_t \,],

split into the k gates with ``keras.ops.split``: two matrix products per step
instead of 2k small ones.

The class names carry a ``Scratch`` prefix so that they are never confused with
Keras's own ``SimpleRNNCell``/``LSTMCell``/``GRUCell`` when a model is saved.
"""

from __future__ import annotations

from rnncourse.environment import import_keras_quietly

keras = import_keras_quietly()
ops = keras.ops

__all__ = ["ScratchGRUCell", "ScratchLSTMCell", "ScratchSimpleRNNCell"]


class _ScratchCell(keras.Layer):
    """What the three cells share: arguments, shape checks, weights and config."""

    #: Number of gate blocks in the kernels (1 for the vanilla RNN).
    gates = 1

    def __init__(
        self,
        units: int,
        activation="tanh",
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units < 1:
            raise ValueError(f"units must be a positive integer, got {units!r}")
        self.units = units
        self.activation = keras.activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.state_size = units
        self.output_size = units

    def _bias_shape(self):
        return (self.gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) == 1:
            raise ValueError(
                f"{type(self).__name__} in keras.layers.RNN expects input of shape "
                "(batch, time, features), but received a 2-D input (batch, features) "
                f"with batch size {input_shape[0]}: it has no time axis. Add one, e.g. "
                "with keras.ops.expand_dims(x, 1) or keras.layers.Reshape((1, features))."
            )
        if len(input_shape) != 2:
            raise ValueError(
                f"{type(self).__name__} expects one step of shape (batch, features), i.e. "
                "sequences of shape (batch, time, features) in keras.layers.RNN; received "
                f"a step of shape {input_shape}"
            )
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"{type(self).__name__} needs to know the number of features; got an input "
                f"of shape {input_shape} with the last axis unknown"
            )
        self.kernel = self.add_weight(
            shape=(input_dim, self.gates * self.units),
            name="kernel",
            initializer=self.kernel_initializer,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, self.gates * self.units),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
        )
        self.bias = (
            self.add_weight(shape=self._bias_shape(), name="bias",
                            initializer=self._bias_initializer())
            if self.use_bias
            else None
        )

    def _check_step_input(self, inputs):
        expected = self.kernel.shape[0]
        if len(inputs.shape) != 2 or (
            inputs.shape[-1] is not None and inputs.shape[-1] != expected
        ):
            raise ValueError(
                f"{type(self).__name__} was built for steps of shape (batch, {expected}) "
                f"(sequences (batch, time, {expected})), but received a step of shape "
                f"{tuple(inputs.shape)}"
            )

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": keras.initializers.serialize(self.recurrent_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }


def _first_state(states):
    return states[0] if isinstance(states, (list, tuple)) else states


@keras.saving.register_keras_serializable(package="rnncourse")
class ScratchSimpleRNNCell(_ScratchCell):
    r"""The vanilla RNN step :math:`h_t = \tanh(x_t W + h_{t-1} U + b)`.

    Same weights and outputs as ``keras.layers.SimpleRNNCell`` (no dropout).
    """

    def call(self, inputs, states, training=False):
        self._check_step_input(inputs)
        h_prev = _first_state(states)
        z = ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel)
        if self.use_bias:
            z = z + self.bias
        h = self.activation(z)
        return h, [h] if isinstance(states, (list, tuple)) else h


@keras.saving.register_keras_serializable(package="rnncourse")
class ScratchLSTMCell(_ScratchCell):
    r"""The LSTM step, gates in Keras's order i, f, c, o.

    .. math::

        [\,z^i \mid z^f \mid z^c \mid z^o\,] &= x_t W + h_{t-1} U + b \\
        c_t &= \sigma(z^f) \odot c_{t-1} + \sigma(z^i) \odot \tanh(z^c) \\
        h_t &= \sigma(z^o) \odot \tanh(c_t)

    The state is ``[h, c]``. ``unit_forget_bias=True`` (as in Keras)
    initialises the forget-gate bias to 1, so that the cell starts out
    remembering. ``activation`` replaces the two tanh's and
    ``recurrent_activation`` the sigmoid, as in Keras.
    """

    gates = 4

    def __init__(self, units: int, recurrent_activation="sigmoid",
                 unit_forget_bias: bool = True, **kwargs):
        super().__init__(units, **kwargs)
        self.recurrent_activation = keras.activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self.state_size = [units, units]

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        units, base = self.units, self.bias_initializer

        def forget_bias_one(shape, dtype=None):
            return ops.concatenate(
                [
                    base((units,), dtype=dtype),
                    ops.ones((units,), dtype=dtype),
                    base((2 * units,), dtype=dtype),
                ]
            )

        return forget_bias_one

    def call(self, inputs, states, training=False):
        self._check_step_input(inputs)
        h_prev, c_prev = states[0], states[1]
        z = ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel)
        if self.use_bias:
            z = z + self.bias
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
        c = (self.recurrent_activation(z_f) * c_prev
             + self.recurrent_activation(z_i) * self.activation(z_c))
        h = self.recurrent_activation(z_o) * self.activation(c)
        return h, [h, c]

    def get_config(self):
        return {
            **super().get_config(),
            "recurrent_activation": keras.activations.serialize(self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
        }


@keras.saving.register_keras_serializable(package="rnncourse")
class ScratchGRUCell(_ScratchCell):
    r"""The GRU step in Keras's default form (``reset_after=True``), gates z, r, h.

    .. math::

        [\,x^z \mid x^r \mid x^h\,] &= x_t W + b^{(x)}, \qquad
        [\,u^z \mid u^r \mid u^h\,] = h_{t-1} U + b^{(h)} \\
        z_t &= \sigma(x^z + u^z), \quad r_t = \sigma(x^r + u^r), \quad
        \tilde h_t = \tanh(x^h + r_t \odot u^h) \\
        h_t &= z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t

    ``bias`` has shape (2, 3·units): input bias and recurrent bias.
    """

    gates = 3

    def __init__(self, units: int, recurrent_activation="sigmoid", **kwargs):
        super().__init__(units, **kwargs)
        self.recurrent_activation = keras.activations.get(recurrent_activation)

    def _bias_shape(self):
        return (2, 3 * self.units)

    def call(self, inputs, states, training=False):
        self._check_step_input(inputs)
        h_prev = _first_state(states)
        from_input = ops.matmul(inputs, self.kernel)
        from_state = ops.matmul(h_prev, self.recurrent_kernel)
        if self.use_bias:
            from_input = from_input + self.bias[0]
            from_state = from_state + self.bias[1]
        x_z, x_r, x_h = ops.split(from_input, 3, axis=-1)
        u_z, u_r, u_h = ops.split(from_state, 3, axis=-1)
        z = self.recurrent_activation(x_z + u_z)
        r = self.recurrent_activation(x_r + u_r)
        h_tilde = self.activation(x_h + r * u_h)
        h = z * h_prev + (1.0 - z) * h_tilde
        return h, [h] if isinstance(states, (list, tuple)) else h

    def get_config(self):
        return {
            **super().get_config(),
            "recurrent_activation": keras.activations.serialize(self.recurrent_activation),
        }
