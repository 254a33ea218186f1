r"""Attention layers written with ``keras.ops``: Luong (dot / general) and Bahdanau (additive).

Both are called like Keras's attention layers: ``layer([query, value])`` or
``layer([query, value, key])`` with ``query`` (batch, Tq, d) and ``value``
(batch, Tv, d_v); keys default to the values. The output is the context
(batch, Tq, d_v); with ``return_attention_scores=True`` the softmax weights
(batch, Tq, Tv) come too, for plotting. Masks: ``mask=[query_mask,
value_mask]`` (booleans, True = real token), or propagated from an
``Embedding(mask_zero=True)``; masked keys get weight 0 and masked queries a
zero context, as in Keras. A masked score is replaced by the most negative
finite number of the layer's compute dtype, so the layer also works under
``keras.mixed_precision`` policy ``"mixed_float16"`` (a fixed penalty such as
``1e9`` overflows float16 to ``-inf``); a row whose keys are all masked gets
uniform weights, as with ``keras.layers.Attention``.

* ``LuongAttention(score="dot", use_scale=False)`` is ``keras.layers.Attention``
  (``score_mode="dot"``, a learned scalar ``scale`` with ``use_scale=True``);
  ``score="general"`` adds a matrix ``W``: :math:`s_{ij} = q_i W k_j^\top`.
* ``BahdanauAttention()`` is ``keras.layers.AdditiveAttention``:
  :math:`s_{ij} = \sum_d \text{scale}_d \tanh(q_{id} + k_{jd})`; with
  ``units=n`` it adds Bahdanau's projections,
  :math:`s_{ij} = \text{scale}^\top \tanh(q_i W_q + k_j W_k)`.
"""

from __future__ import annotations

import numpy as np

from rnncourse.environment import import_keras_quietly

keras = import_keras_quietly()
ops = keras.ops

__all__ = ["BahdanauAttention", "LuongAttention"]


def _masked_score(dtype) -> float:
    """The score given to a masked key: the most negative finite number of ``dtype``.

    After the softmax subtracts the row's maximum, ``exp`` of it is exactly 0
    whenever the row has an allowed key; when all keys of a row are masked the
    scores are all equal and the weights uniform, never NaN (``scores - 1e9``
    would be ``-inf`` in float16, and a row of ``-inf`` gives NaN).
    """
    dtype = keras.backend.standardize_dtype(dtype)
    if dtype == "bfloat16":  # NumPy has no bfloat16; its largest finite value is about 3.39e38
        return -3.3895313892515355e38
    return float(np.finfo(dtype).min)


class _AttentionBase(keras.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _split_inputs(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) not in (2, 3):
            raise ValueError(
                f"{type(self).__name__} must be called on a list [query, value] or "
                f"[query, value, key]; received {type(inputs).__name__}"
                + (f" of length {len(inputs)}" if isinstance(inputs, (list, tuple)) else "")
            )
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) == 3 else value
        for name, tensor in (("query", query), ("value", value), ("key", key)):
            if len(tensor.shape) != 3:
                raise ValueError(
                    f"{type(self).__name__}: {name} should have shape (batch, time, dim), "
                    f"received shape {tuple(tensor.shape)}"
                )
        return query, value, key

    def build(self, input_shape):
        is_list = isinstance(input_shape, (list, tuple)) and all(
            isinstance(s, (list, tuple)) for s in input_shape
        )
        if not is_list:
            raise ValueError(
                f"{type(self).__name__} must be called on a list [query, value] or "
                f"[query, value, key]; received one tensor of shape {tuple(input_shape)}"
            )
        shapes = [tuple(s) for s in input_shape]
        if len(shapes) not in (2, 3) or any(len(s) != 3 for s in shapes):
            raise ValueError(
                f"{type(self).__name__} expects [query, value(, key)] of shapes "
                f"(batch, Tq, dim), (batch, Tv, dim); received shapes {shapes}"
            )
        query_dim, key_dim = shapes[0][-1], shapes[-1][-1]
        self._build_scores(query_dim, key_dim)

    def _build_scores(self, query_dim, key_dim):
        raise NotImplementedError

    def _scores(self, query, key):
        raise NotImplementedError

    def call(self, inputs, mask=None, return_attention_scores=False):
        query, value, key = self._split_inputs(inputs)
        scores = self._scores(query, key)  # (batch, Tq, Tv)
        query_mask = value_mask = None
        if mask is not None:
            query_mask, value_mask = mask[0], mask[1]
        if value_mask is not None:
            keep = ops.expand_dims(ops.cast(value_mask, "bool"), axis=-2)  # (batch, 1, Tv)
            scores = ops.where(keep, scores, _masked_score(scores.dtype))
        weights = ops.softmax(scores, axis=-1)
        context = ops.matmul(weights, value)
        if query_mask is not None:
            keep = ops.expand_dims(ops.cast(query_mask, "bool"), axis=-1)  # (batch, Tq, 1)
            context = ops.where(keep, context, ops.zeros_like(context))
        if return_attention_scores:
            return context, weights
        return context

    def compute_mask(self, inputs, mask=None):
        if mask is None or mask[0] is None:
            return None
        return ops.convert_to_tensor(mask[0])

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape[0])[:-1], tuple(input_shape[1])[-1])

    def compute_output_spec(self, inputs, mask=None, return_attention_scores=False):
        query, value, key = self._split_inputs(inputs)
        context = keras.KerasTensor((*query.shape[:-1], value.shape[-1]), dtype=self.compute_dtype)
        if return_attention_scores:
            weights = keras.KerasTensor(
                (*query.shape[:-1], key.shape[-2]), dtype=self.compute_dtype
            )
            return context, weights
        return context


@keras.saving.register_keras_serializable(package="rnncourse")
class LuongAttention(_AttentionBase):
    r"""Multiplicative attention: ``score="dot"`` (:math:`q_i \cdot k_j`) or ``"general"``.

    ``"general"`` learns ``W`` (query_dim, key_dim): :math:`s_{ij} = q_i W k_j^\top`,
    so queries and keys may have different sizes. ``use_scale=True`` multiplies
    the scores by a learned scalar ``scale`` (initialised to 1), as
    ``keras.layers.Attention(use_scale=True)`` does; with ``score="dot"`` the
    layer has the same weights and outputs as ``keras.layers.Attention``.
    """

    def __init__(self, score: str = "dot", use_scale: bool = False, **kwargs):
        super().__init__(**kwargs)
        if score not in ("dot", "general"):
            raise ValueError(f"score must be 'dot' or 'general', got {score!r}")
        self.score = score
        self.use_scale = use_scale

    def _build_scores(self, query_dim, key_dim):
        if self.score == "dot" and query_dim != key_dim:
            raise ValueError(
                f"dot scores need queries and keys of the same size; received query_dim "
                f"{query_dim} and key_dim {key_dim} (use score='general')"
            )
        self.scale = (
            self.add_weight(name="scale", shape=(), initializer="ones") if self.use_scale else None
        )
        self.W = (
            self.add_weight(name="W", shape=(query_dim, key_dim), initializer="glorot_uniform")
            if self.score == "general"
            else None
        )

    def _scores(self, query, key):
        if self.W is not None:
            query = ops.matmul(query, self.W)
        scores = ops.matmul(query, ops.swapaxes(key, -2, -1))
        if self.scale is not None:
            scores = scores * self.scale
        return scores

    def get_config(self):
        return {**super().get_config(), "score": self.score, "use_scale": self.use_scale}


@keras.saving.register_keras_serializable(package="rnncourse")
class BahdanauAttention(_AttentionBase):
    r"""Additive attention :math:`s_{ij} = \text{scale}^\top \tanh(q_i W_q + k_j W_k)`.

    With ``units=None`` (the default) there are no projections (``W_q = W_k =
    I``): the layer then has the same weight (``scale``, shape (dim,)) and
    outputs as ``keras.layers.AdditiveAttention``. With ``units=n`` it learns
    ``W_q`` (query_dim, n) and ``W_k`` (key_dim, n) as in Bahdanau et al.
    (2015). ``use_scale=False`` replaces the ``scale`` vector by ones.
    """

    def __init__(self, units: int | None = None, use_scale: bool = True, **kwargs):
        super().__init__(**kwargs)
        if units is not None and (not isinstance(units, int) or units < 1):
            raise ValueError(f"units must be None or a positive integer, got {units!r}")
        self.units = units
        self.use_scale = use_scale

    def _build_scores(self, query_dim, key_dim):
        if self.units is None:
            if query_dim != key_dim:
                raise ValueError(
                    f"without projections queries and keys must have the same size; received "
                    f"query_dim {query_dim} and key_dim {key_dim} (give units=...)"
                )
            self.W_q = self.W_k = None
            hidden = query_dim
        else:
            self.W_q = self.add_weight(
                name="W_q", shape=(query_dim, self.units), initializer="glorot_uniform"
            )
            self.W_k = self.add_weight(
                name="W_k", shape=(key_dim, self.units), initializer="glorot_uniform"
            )
            hidden = self.units
        self.scale = (
            self.add_weight(name="scale", shape=(hidden,), initializer="glorot_uniform")
            if self.use_scale
            else None
        )

    def _scores(self, query, key):
        if self.W_q is not None:
            query, key = ops.matmul(query, self.W_q), ops.matmul(key, self.W_k)
        hidden = ops.tanh(ops.expand_dims(query, -2) + ops.expand_dims(key, -3))
        if self.scale is not None:
            hidden = hidden * self.scale
        return ops.sum(hidden, axis=-1)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "use_scale": self.use_scale}
