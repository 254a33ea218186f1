"""Learner answers for lesson 03 (contract 3): right ones written differently, typical wrong ones.

Each function has the learner's signature. RIGHT answers must pass on every draw; each WRONG
answer must fail with a message that contains the given substring.
"""

from __future__ import annotations

import numpy as np

# --------------------------------------------------------------------------- tanh_step_jacobian


def jacobian_broadcast(h_t, W_hh):
    return (1.0 - h_t**2)[:, :, None] * W_hh.T[None, :, :]


def jacobian_einsum(h_t, W_hh):
    return np.einsum("bi,ji->bij", 1.0 - h_t**2, W_hh)


def jacobian_loop_float32(h_t, W_hh):
    h_t, W_hh = h_t.astype(np.float32), W_hh.astype(np.float32)
    return np.stack([np.diag(1.0 - h**2) @ W_hh.T for h in h_t])


def jacobian_reuses_h_t(h_t, W_hh):
    """Overwrites h_t with the derivative (allowed: only the returned value is judged)."""
    np.square(h_t, out=h_t)
    np.subtract(1.0, h_t, out=h_t)
    return h_t[:, :, None] * W_hh.T


def jacobian_keras_ops(h_t, W_hh):
    import keras

    ops = keras.ops
    d = 1.0 - ops.square(ops.convert_to_tensor(h_t, dtype="float32"))
    return ops.convert_to_numpy(ops.expand_dims(d, -1) * ops.transpose(ops.convert_to_tensor(
        W_hh, dtype="float32")))


def jacobian_w_not_transposed(h_t, W_hh):
    return (1.0 - h_t**2)[:, :, None] * W_hh[None]


def jacobian_no_derivative(h_t, W_hh):
    return np.broadcast_to(W_hh.T, (h_t.shape[0], *W_hh.shape)).copy()


def jacobian_columns(h_t, W_hh):
    return W_hh.T[None] * (1.0 - h_t**2)[:, None, :]


def jacobian_transposed(h_t, W_hh):
    return np.transpose(jacobian_broadcast(h_t, W_hh), (0, 2, 1))


def jacobian_tanh_again(h_t, W_hh):
    return (1.0 - np.tanh(h_t) ** 2)[:, :, None] * W_hh.T[None]


def jacobian_no_square(h_t, W_hh):
    return (1.0 - h_t)[:, :, None] * W_hh.T[None]


def jacobian_sigmoid_derivative(h_t, W_hh):
    return (h_t * (1.0 - h_t))[:, :, None] * W_hh.T[None]


def jacobian_h_squared(h_t, W_hh):
    return (h_t**2)[:, :, None] * W_hh.T[None]


def jacobian_batch_mean(h_t, W_hh):
    return jacobian_broadcast(h_t, W_hh).mean(axis=0)


# --------------------------------------------------------------------------- gradient_norm_bound

GAMMA = {"tanh": 1.0, "sigmoid": 0.25}


def bound_norm(W_hh, distance, activation):
    return float((GAMMA[activation] * np.linalg.norm(W_hh, 2)) ** distance)


def bound_svd_float32(W_hh, distance, activation):
    sigma = np.linalg.svd(W_hh.astype(np.float32), compute_uv=False)[0]
    return float((np.float32(GAMMA[activation]) * sigma) ** distance)


def bound_eigen_of_gram(W_hh, distance, activation):
    """sigma_max from the largest eigenvalue of W^T W, the product written as a loop."""
    sigma = np.sqrt(np.linalg.eigvalsh(W_hh.T @ W_hh).max())
    gamma = 1.0 if activation == "tanh" else 0.25
    result = 1.0
    for _ in range(distance):
        result *= gamma * sigma
    return result


def bound_returns_array(W_hh, distance, activation):
    return np.array([(GAMMA[activation] * np.linalg.norm(W_hh, 2)) ** distance])


def bound_determinant(W_hh, distance, activation):
    return (abs(np.linalg.det(W_hh)) * GAMMA[activation]) ** distance


def bound_eigenvalue(W_hh, distance, activation):
    return (np.max(np.abs(np.linalg.eigvals(W_hh))) * GAMMA[activation]) ** distance


def bound_frobenius(W_hh, distance, activation):
    return (np.linalg.norm(W_hh) * GAMMA[activation]) ** distance


def bound_smallest(W_hh, distance, activation):
    return (np.linalg.svd(W_hh, compute_uv=False).min() * GAMMA[activation]) ** distance


def bound_largest_entry(W_hh, distance, activation):
    return (np.abs(W_hh).max() * GAMMA[activation]) ** distance


def bound_no_gamma(W_hh, distance, activation):
    return np.linalg.norm(W_hh, 2) ** distance


def bound_sigmoid_half(W_hh, distance, activation):
    gamma = 0.5 if activation == "sigmoid" else 1.0
    return (gamma * np.linalg.norm(W_hh, 2)) ** distance


def bound_gamma_once(W_hh, distance, activation):
    return np.linalg.norm(W_hh, 2) ** distance * GAMMA[activation]


def bound_one_less(W_hh, distance, activation):
    return (GAMMA[activation] * np.linalg.norm(W_hh, 2)) ** (distance - 1)


def bound_one_more(W_hh, distance, activation):
    return (GAMMA[activation] * np.linalg.norm(W_hh, 2)) ** (distance + 1)


def bound_no_power(W_hh, distance, activation):
    return GAMMA[activation] * np.linalg.norm(W_hh, 2)


def bound_times_distance(W_hh, distance, activation):
    return GAMMA[activation] * np.linalg.norm(W_hh, 2) * distance


def bound_string(W_hh, distance, activation):
    return str(bound_norm(W_hh, distance, activation))


# --------------------------------------------------------------------------- log_norm_slope


def slope_polyfit(distances, norms):
    return float(np.polyfit(distances, np.log(norms), 1)[0])


def slope_formula_float32(distances, norms):
    x = distances.astype(np.float32)
    y = np.log(norms).astype(np.float32)
    return float(np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2))


def slope_lstsq_reuses_norms(distances, norms):
    """Takes the logarithm in place (allowed) and solves the least-squares problem."""
    np.log(norms, out=norms)
    design = np.stack([distances, np.ones_like(distances)], axis=1).astype(float)
    return float(np.linalg.lstsq(design, norms, rcond=None)[0][0])


def slope_no_log(distances, norms):
    return float(np.polyfit(distances, norms, 1)[0])


def slope_log10(distances, norms):
    return float(np.polyfit(distances, np.log10(norms), 1)[0])


def slope_factor(distances, norms):
    return float(np.exp(np.polyfit(distances, np.log(norms), 1)[0]))


def slope_swapped(distances, norms):
    return float(np.polyfit(np.log(norms), distances, 1)[0])


def slope_intercept(distances, norms):
    return float(np.polyfit(distances, np.log(norms), 1)[1])


def slope_both(distances, norms):
    return np.polyfit(distances, np.log(norms), 1)


def slope_end_points(distances, norms):
    return float((np.log(norms[-1]) - np.log(norms[0])) / (distances[-1] - distances[0]))


def slope_sign(distances, norms):
    return -float(np.polyfit(distances, np.log(norms), 1)[0])


# --------------------------------------------------------------------------- clip_by_global_norm


def _norm(gradients):
    return np.sqrt(sum(np.sum(g**2) for g in gradients))


def clip_list(gradients, clip_norm):
    factor = min(1.0, clip_norm / _norm(gradients))
    return [g * factor for g in gradients]


def clip_float32_tuple(gradients, clip_norm):
    gradients = [g.astype(np.float32) for g in gradients]  # new arrays: the originals are kept
    norm = np.sqrt(np.sum(np.concatenate([g.ravel() for g in gradients]) ** 2))
    return tuple(g * np.float32(min(1.0, clip_norm / norm)) for g in gradients)


def clip_keras_ops(gradients, clip_norm):
    import keras

    ops = keras.ops
    tensors = [ops.convert_to_tensor(g, dtype="float32") for g in gradients]
    norm = ops.sqrt(sum(ops.sum(ops.square(t)) for t in tensors))
    factor = ops.minimum(1.0, clip_norm / norm)
    return [ops.convert_to_numpy(t * factor) for t in tensors]


def clip_copies_then_scales_in_place(gradients, clip_norm):
    """Copies first, then scales the copies in place: allowed."""
    clipped = [np.array(g, dtype=float) for g in gradients]
    factor = min(1.0, clip_norm / _norm(clipped))
    for g in clipped:
        g *= factor
    return clipped


def clip_in_place(gradients, clip_norm):
    factor = min(1.0, clip_norm / _norm(gradients))
    for g in gradients:
        g *= factor
    return gradients


def clip_replaces_list_items(gradients, clip_norm):
    factor = min(1.0, clip_norm / _norm(gradients))
    for i, g in enumerate(gradients):
        gradients[i] = g * factor
    return gradients


def clip_per_array(gradients, clip_norm):
    return [g * min(1.0, clip_norm / np.linalg.norm(g)) for g in gradients]


def clip_always(gradients, clip_norm):
    return [g * clip_norm / _norm(gradients) for g in gradients]


def clip_values(gradients, clip_norm):
    return [np.clip(g, -clip_norm, clip_norm) for g in gradients]


def clip_no_sqrt(gradients, clip_norm):
    return [g * min(1.0, clip_norm / _norm(gradients) ** 2) for g in gradients]


def clip_upside_down(gradients, clip_norm):
    return [g * min(1.0, _norm(gradients) / clip_norm) for g in gradients]


def clip_unit_length(gradients, clip_norm):
    return [g * min(1.0, 1.0 / _norm(gradients)) for g in gradients]


def clip_mean(gradients, clip_norm):
    flat = np.concatenate([g.ravel() for g in gradients])
    return [g * min(1.0, clip_norm / np.sqrt(np.mean(flat**2))) for g in gradients]


def clip_parameter_norm(gradients, clip_norm):
    """Divides by something that is not the gradient's norm."""
    return [g * 0.5 for g in gradients]


def clip_one_array(gradients, clip_norm):
    return np.concatenate([g.ravel() for g in gradients]) * min(1.0, clip_norm / _norm(gradients))


def clip_flattened(gradients, clip_norm):
    return [g.ravel() * min(1.0, clip_norm / _norm(gradients)) for g in gradients]


RIGHT = {
    "tanh_step_jacobian": [jacobian_broadcast, jacobian_einsum, jacobian_loop_float32,
                           jacobian_reuses_h_t, jacobian_keras_ops],
    "gradient_norm_bound": [bound_norm, bound_svd_float32, bound_eigen_of_gram,
                            bound_returns_array],
    "log_norm_slope": [slope_polyfit, slope_formula_float32, slope_lstsq_reuses_norms],
    "clip_by_global_norm": [clip_list, clip_float32_tuple, clip_keras_ops,
                            clip_copies_then_scales_in_place],
}

WRONG = {
    "tanh_step_jacobian": [
        (jacobian_w_not_transposed, "W_hh looks transposed"),
        (jacobian_no_derivative, "derivative of tanh is missing"),
        (jacobian_columns, "multiplies the columns"),
        (jacobian_transposed, "Jacobian is transposed"),
        (jacobian_tanh_again, "applied tanh to h_t again"),
        (jacobian_no_square, "square is missing"),
        (jacobian_sigmoid_derivative, "sigmoid's derivative"),
        (jacobian_h_squared, "h_t² as the derivative"),
        (jacobian_batch_mean, "one Jacobian for the whole batch"),
    ],
    "gradient_norm_bound": [
        (bound_determinant, "determinant"),
        (bound_eigenvalue, "eigenvalue"),
        (bound_frobenius, "Frobenius"),
        (bound_smallest, "smallest singular value"),
        (bound_largest_entry, "largest entry"),
        (bound_no_gamma, "largest derivative is missing"),
        (bound_sigmoid_half, "not 1/2"),
        (bound_gamma_once, "applied once instead of once per step"),
        (bound_one_less, "distance - 1"),
        (bound_one_more, "distance + 1"),
        (bound_no_power, "power is missing"),
        (bound_times_distance, "multiplied by the distance"),
        (bound_string, "return one number"),
    ],
    "log_norm_slope": [
        (slope_no_log, "norms themselves"),
        (slope_log10, "log10"),
        (slope_factor, "exp(slope)"),
        (slope_swapped, "axes are swapped"),
        (slope_intercept, "intercept"),
        (slope_both, "two numbers"),
        (slope_end_points, "two end points"),
        (slope_sign, "sign is flipped"),
    ],
    "clip_by_global_norm": [
        (clip_in_place, "modified `gradients` in place"),
        (clip_replaces_list_items, "modified `gradients` in place"),
        (clip_per_array, "each array by its own norm"),
        (clip_always, "below the threshold"),
        (clip_values, "elementwise"),
        (clip_no_sqrt, "square root seems missing"),
        (clip_upside_down, "upside down"),
        (clip_unit_length, "length 1"),
        (clip_mean, "mean instead of the sum of squares"),
        (clip_parameter_norm, "should be multiplied by"),
        (clip_one_array, "return a list"),
        (clip_flattened, "keeps the shape"),
    ],
}
