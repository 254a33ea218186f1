"""NumPy reference maths: the forward (and backward) passes the lessons derive.

The weight layout is Keras's, so weights move between NumPy and Keras without
reshuffling: ``kernel`` (input_dim, units·gates), ``recurrent_kernel``
(units, units·gates) and ``bias`` (units·gates,), or (2, 3·units) for the GRU
with ``reset_after=True``; inputs are batch-major, ``x`` of shape
(batch, time, input_dim). Backward passes take dL/d(every hidden state) and
return a dict of gradients keyed by the names of the forward pass's arguments.
"""

from rnncourse.reference.attention import (
    additive_scores,
    attention,
    dot_scores,
    general_scores,
    masked_softmax,
)
from rnncourse.reference.bidirectional import (
    MERGE_MODES,
    bidirectional_rnn_forward,
    merge_directions,
    reverse_padded,
)
from rnncourse.reference.gradcheck import numerical_gradient, relative_error
from rnncourse.reference.gru import gru_backward, gru_forward, gru_param_count, gru_step
from rnncourse.reference.linear_recurrence import (
    LINEAR_RECURRENCE_METHODS,
    associative_scan,
    combine,
    linear_recurrence,
    log_combine,
    log_linear_recurrence,
)
from rnncourse.reference.lstm import lstm_backward, lstm_forward, lstm_param_count, lstm_step
from rnncourse.reference.min_rnn import (
    min_gru_coefficients,
    min_gru_forward,
    min_gru_param_count,
    min_gru_step,
    min_lstm_coefficients,
    min_lstm_forward,
    min_lstm_param_count,
    min_lstm_step,
)
from rnncourse.reference.simple_rnn import (
    rnn_backward,
    rnn_forward,
    rnn_step,
    simple_rnn_param_count,
)

__all__ = [
    "LINEAR_RECURRENCE_METHODS",
    "MERGE_MODES",
    "associative_scan",
    "combine",
    "linear_recurrence",
    "log_combine",
    "log_linear_recurrence",
    "min_gru_coefficients",
    "min_gru_forward",
    "min_gru_param_count",
    "min_gru_step",
    "min_lstm_coefficients",
    "min_lstm_forward",
    "min_lstm_param_count",
    "min_lstm_step",
    "bidirectional_rnn_forward",
    "merge_directions",
    "reverse_padded",
    "additive_scores",
    "attention",
    "dot_scores",
    "general_scores",
    "gru_backward",
    "gru_forward",
    "gru_param_count",
    "gru_step",
    "lstm_backward",
    "lstm_forward",
    "lstm_param_count",
    "lstm_step",
    "masked_softmax",
    "numerical_gradient",
    "relative_error",
    "rnn_backward",
    "rnn_forward",
    "rnn_step",
    "simple_rnn_param_count",
]
