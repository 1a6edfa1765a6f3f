"""The update rules, each on flat buffers, in place, with Keras' formulas and defaults.

Mapping to PyTorch (used by the tests that train the same network in both):

- ``SGD(lr, momentum=m)``: Keras keeps ``v = m v - lr g; w += v``; PyTorch keeps ``b = m b + g; w -= lr b``.
  With a constant learning rate they are the same (``v = -lr b``). Nesterov likewise.
- ``Adam(lr, beta_1, beta_2, epsilon)``: Keras adds epsilon to ``sqrt(v)`` before bias correction, PyTorch
  after; PyTorch's ``eps_t = epsilon / sqrt(1 - beta_2^t)`` gives the same steps. With the defaults the
  difference is far below float32 resolution after the first few steps.
- ``RMSprop(lr, rho, epsilon)``: Keras divides by ``sqrt(v + epsilon)``, PyTorch by ``sqrt(v) + eps``; torch's
  ``alpha`` is Keras' ``rho`` (defaults 0.99 and 0.9 differ).
"""
from __future__ import annotations

import math

from ..devices.backend import has_cuda_kernels, xp_of
from ..devices.cpu_kernels import kernel_for
from .. import checks
from .base import Optimizer


def _on_gpu(group) -> bool:
    """True when the buffers live on a GPU that runs neurona's fused update kernels."""
    return has_cuda_kernels(xp_of(group.params))


def _same_dtype(group, *values):
    """Scalars in the buffers' dtype, so that a kernel computes exactly what NumPy computes with them."""
    dtype = group.params.dtype.type
    return tuple(dtype(x) for x in values)


class SGD(Optimizer):
    """Gradient descent, with optional (Nesterov) momentum. Keras defaults: ``learning_rate=0.01``.

    >>> import neurona as nr
    >>> w = nr.tensor([1.0], requires_grad=True)
    >>> opt = nr.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    >>> opt.apply_gradients([(nr.tensor([2.0]), w)])
    >>> round(w.item(), 4)
    0.8
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.momentum = checks.number(momentum, "momentum", self.where, 0, 1)
        self.nesterov = bool(nesterov)

    def build_slots(self, group):
        if self.momentum:
            group.slot("momentum")

    def update(self, group, lr):
        p, g, tmp = group.params, group.grads, group.scratch
        if self.momentum and _on_gpu(group):
            from ..devices.cuda_kernels import sgd_momentum_kernel
            sgd_momentum_kernel()(g, lr, self.momentum, self.nesterov, p, group.slots["momentum"])
            return
        kernel = self.momentum and kernel_for("sgd_momentum", group.params)
        if kernel:
            kernel(p, g, group.slots["momentum"], *_same_dtype(group, lr, self.momentum), self.nesterov)
            return
        xp_of(g).multiply(g, lr, out=tmp)
        if not self.momentum:
            p -= tmp
            return
        v = group.slots["momentum"]
        v *= self.momentum
        v -= tmp
        if self.nesterov:
            p += self.momentum * v
            p -= tmp
        else:
            p += v

    def hyperparameters(self):
        return {"momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adaptive moments. Keras defaults: ``learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7``.

    >>> import neurona as nr
    >>> w = nr.tensor([1.0], requires_grad=True)
    >>> opt = nr.optimizers.Adam(learning_rate=0.1)
    >>> opt.apply_gradients([(nr.tensor([2.0]), w)])
    >>> round(w.item(), 4)
    0.9
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = checks.number(beta_1, "beta_1", self.where, 0, 1, high_open=True)
        self.beta_2 = checks.number(beta_2, "beta_2", self.where, 0, 1, high_open=True)
        self.epsilon = checks.number(epsilon, "epsilon", self.where, low=0, low_open=True)
        self.amsgrad = bool(amsgrad)

    def build_slots(self, group):
        group.slot("m")
        group.slot("v")
        if self.amsgrad:
            group.slot("v_hat")

    def update(self, group, lr):
        xp = xp_of(group.params)
        t = self.iterations + 1
        alpha = lr * math.sqrt(1.0 - self.beta_2 ** t) / (1.0 - self.beta_1 ** t)
        p, g, m, v, tmp = group.params, group.grads, group.slots["m"], group.slots["v"], group.scratch
        if not self.amsgrad and _on_gpu(group):
            from ..devices.cuda_kernels import adam_kernel
            adam_kernel()(g, alpha, self.beta_1, self.beta_2, self.epsilon, p, m, v)
            return
        kernel = kernel_for("adam", group.params)
        if kernel:
            v_hat = group.slots["v_hat"] if self.amsgrad else v
            kernel(p, g, m, v, v_hat, *_same_dtype(group, alpha, 1.0 - self.beta_1, 1.0 - self.beta_2, self.epsilon),
                   self.amsgrad)
            return
        xp.subtract(g, m, out=tmp)
        tmp *= 1.0 - self.beta_1
        m += tmp
        xp.multiply(g, g, out=tmp)
        tmp -= v
        tmp *= 1.0 - self.beta_2
        v += tmp
        if self.amsgrad:
            xp.maximum(group.slots["v_hat"], v, out=group.slots["v_hat"])
            v = group.slots["v_hat"]
        xp.sqrt(v, out=tmp)
        tmp += self.epsilon
        xp.divide(m, tmp, out=tmp)
        tmp *= alpha
        p -= tmp

    def hyperparameters(self):
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (Keras default ``weight_decay=0.004``).

    >>> import neurona as nr
    >>> w = nr.tensor([1.0], requires_grad=True)
    >>> opt = nr.optimizers.AdamW(learning_rate=0.1, weight_decay=0.0)
    >>> opt.apply_gradients([(nr.tensor([2.0]), w)])
    >>> round(w.item(), 4)
    0.9
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay=weight_decay, **kwargs)


class RMSprop(Optimizer):
    """Divide by a running root mean square of gradients. Keras defaults: ``learning_rate=0.001, rho=0.9,
    momentum=0.0, epsilon=1e-7, centered=False``.

    >>> import neurona as nr
    >>> w = nr.tensor([1.0], requires_grad=True)
    >>> opt = nr.optimizers.RMSprop(learning_rate=0.1)
    >>> opt.apply_gradients([(nr.tensor([2.0]), w)])
    >>> round(w.item(), 4)
    0.6838
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = checks.number(rho, "rho", self.where, 0, 1, high_open=True)
        self.momentum = checks.number(momentum, "momentum", self.where, 0, 1)
        self.epsilon = checks.number(epsilon, "epsilon", self.where, low=0, low_open=True)
        self.centered = bool(centered)

    def build_slots(self, group):
        group.slot("velocity")
        if self.momentum:
            group.slot("momentum")
        if self.centered:
            group.slot("average_gradient")

    def update(self, group, lr):
        xp = xp_of(group.params)
        p, g, v, tmp = group.params, group.grads, group.slots["velocity"], group.scratch
        if not self.centered and not self.momentum and _on_gpu(group):
            from ..devices.cuda_kernels import rmsprop_kernel
            rmsprop_kernel()(g, lr, self.rho, self.epsilon, p, v)
            return
        kernel = not self.centered and not self.momentum and kernel_for("rmsprop", group.params)
        if kernel:
            kernel(p, g, v, *_same_dtype(group, lr, self.rho, 1.0 - self.rho, self.epsilon))
            return
        v *= self.rho
        xp.multiply(g, g, out=tmp)
        tmp *= 1.0 - self.rho
        v += tmp
        if self.centered:
            avg = group.slots["average_gradient"]
            avg *= self.rho
            avg += (1.0 - self.rho) * g
            xp.multiply(avg, avg, out=tmp)
            xp.subtract(v, tmp, out=tmp)
            tmp += self.epsilon
        else:
            xp.add(v, self.epsilon, out=tmp)
        xp.sqrt(tmp, out=tmp)
        xp.divide(g, tmp, out=tmp)
        tmp *= lr
        if self.momentum:
            mom = group.slots["momentum"]
            mom *= self.momentum
            mom += tmp
            p -= mom
        else:
            p -= tmp

    def hyperparameters(self):
        return {"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon, "centered": self.centered}


class Adagrad(Optimizer):
    """Per-parameter rates from the sum of squared gradients. Keras defaults: ``learning_rate=0.001,
    initial_accumulator_value=0.1, epsilon=1e-7``.

    >>> import neurona as nr
    >>> w = nr.tensor([1.0], requires_grad=True)
    >>> opt = nr.optimizers.Adagrad(learning_rate=0.1)
    >>> opt.apply_gradients([(nr.tensor([2.0]), w)])
    >>> round(w.item(), 4)
    0.9012
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = checks.number(initial_accumulator_value, "initial_accumulator_value",
                                                       self.where, low=0)
        self.epsilon = checks.number(epsilon, "epsilon", self.where, low=0, low_open=True)

    def build_slots(self, group):
        group.slot("accumulator", self.initial_accumulator_value)

    def update(self, group, lr):
        xp = xp_of(group.params)
        p, g, acc, tmp = group.params, group.grads, group.slots["accumulator"], group.scratch
        if _on_gpu(group):
            from ..devices.cuda_kernels import adagrad_kernel
            adagrad_kernel()(g, lr, self.epsilon, p, acc)
            return
        xp.multiply(g, g, out=tmp)
        acc += tmp
        xp.add(acc, self.epsilon, out=tmp)
        xp.sqrt(tmp, out=tmp)
        xp.divide(g, tmp, out=tmp)
        tmp *= lr
        p -= tmp

    def hyperparameters(self):
        return {"initial_accumulator_value": self.initial_accumulator_value, "epsilon": self.epsilon}
