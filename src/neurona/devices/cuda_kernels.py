"""CUDA kernels for what NumPy idioms do not express in one pass on a GPU (compiled by CuPy on first use).

- fused optimizer updates (one ``ElementwiseKernel`` per rule: the whole flat parameter buffer in one launch);
- the softmax cross-entropy of each row (one thread per row: max, log-sum-exp and the target term together).

Scatter-add for indexing gradients uses ``cupyx.scatter_add`` and im2col/col2im CuPy's strided views and
slices, so they need no kernel here. Nothing in this module is imported on a machine without CuPy.
"""
from __future__ import annotations

import functools

from . import backend


def _cupy():
    return backend.cupy_module()


@functools.lru_cache(maxsize=None)
def adam_kernel():
    return _cupy().ElementwiseKernel(
        "T g, T alpha, T beta_1, T beta_2, T epsilon", "T p, T m, T v",
        """
        m += (g - m) * (1 - beta_1);
        v += (g * g - v) * (1 - beta_2);
        p -= alpha * m / (sqrt(v) + epsilon);
        """, "neurona_adam")


@functools.lru_cache(maxsize=None)
def sgd_momentum_kernel():
    return _cupy().ElementwiseKernel(
        "T g, T lr, T momentum, bool nesterov", "T p, T v",
        """
        v = momentum * v - lr * g;
        p += nesterov ? momentum * v - lr * g : v;
        """, "neurona_sgd_momentum")


@functools.lru_cache(maxsize=None)
def rmsprop_kernel():
    return _cupy().ElementwiseKernel(
        "T g, T lr, T rho, T epsilon", "T p, T v",
        """
        v = rho * v + (1 - rho) * g * g;
        p -= lr * g / sqrt(v + epsilon);
        """, "neurona_rmsprop")


@functools.lru_cache(maxsize=None)
def adagrad_kernel():
    return _cupy().ElementwiseKernel(
        "T g, T lr, T epsilon", "T p, T acc",
        """
        acc += g * g;
        p -= lr * g / sqrt(acc + epsilon);
        """, "neurona_adagrad")


_XENT_SOURCE = r"""
template <typename T>
__device__ void xent_row(const T* z, const T* t, int classes, T* loss, T* lse) {
    T top = z[0];
    for (int j = 1; j < classes; ++j) top = z[j] > top ? z[j] : top;
    T total = 0, weight = 0, dot = 0;
    for (int j = 0; j < classes; ++j) {
        total += exp(z[j] - top);
        weight += t[j];
        dot += t[j] * z[j];
    }
    T l = top + log(total);
    *lse = l;
    *loss = l * weight - dot;
}
extern "C" __global__ void xent_f32(const float* z, const float* t, int rows, int classes, float* loss, float* lse) {
    int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r < rows) xent_row<float>(z + (long long)r * classes, t + (long long)r * classes, classes, loss + r, lse + r);
}
extern "C" __global__ void xent_f64(const double* z, const double* t, int rows, int classes, double* loss,
                                    double* lse) {
    int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r < rows) xent_row<double>(z + (long long)r * classes, t + (long long)r * classes, classes, loss + r, lse + r);
}
"""


@functools.lru_cache(maxsize=None)
def _xent_module():
    return _cupy().RawModule(code=_XENT_SOURCE, options=("--std=c++11",), name_expressions=("xent_f32", "xent_f64"))


def softmax_cross_entropy_rows(z, t):
    """Per-row ``logsumexp(z) * sum(t) - sum(t * z)`` and ``logsumexp(z)`` for 2-D C-contiguous float arrays."""
    cupy = _cupy()
    z, t = cupy.ascontiguousarray(z), cupy.ascontiguousarray(t, dtype=z.dtype)
    rows, classes = z.shape
    loss = cupy.empty(rows, dtype=z.dtype)
    lse = cupy.empty(rows, dtype=z.dtype)
    kernel = _xent_module().get_function("xent_f32" if z.dtype == cupy.float32 else "xent_f64")
    threads = 128
    kernel(((rows + threads - 1) // threads,), (threads,), (z, t, cupy.int32(rows), cupy.int32(classes), loss, lse))
    return loss, lse
