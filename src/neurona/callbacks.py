"""Callbacks with Keras' semantics: hooks called by ``fit`` at the start and end of training, epochs and batches.

``logs`` hold the running values (``loss``, metrics, ``val_*`` at epoch end). Set ``model.stop_training = True``
to end training after the current epoch.
"""
from __future__ import annotations

import csv
import math
import os
import sys
import warnings
from pathlib import Path

import numpy as np

from .distributed import comm


class Callback:
    """Base class: override any of the hooks.

    >>> import numpy as np
    >>> import neurona as nr
    >>> x = np.linspace(-1, 1, 32, dtype=np.float32).reshape(-1, 1)
    >>> model = nr.Sequential([nr.layers.Input((1,)), nr.layers.Dense(1)])
    >>> model.compile(nr.optimizers.SGD(0.1), "mse")
    >>> class Count(nr.callbacks.Callback):
    ...     epochs = 0
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         Count.epochs += 1
    >>> _ = model.fit(x, 2 * x, epochs=3, verbose=0, callbacks=[Count()])
    >>> Count.epochs
    3
    """

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_train_batch_begin(self, batch, logs=None): ...
    def on_train_batch_end(self, batch, logs=None): ...


class History(Callback):
    """Records the epoch logs: ``history.history["loss"]`` is the list of per-epoch training losses.

    >>> import numpy as np
    >>> import neurona as nr
    >>> x = np.linspace(-1, 1, 32, dtype=np.float32).reshape(-1, 1)
    >>> model = nr.Sequential([nr.layers.Input((1,)), nr.layers.Dense(1)])
    >>> model.compile(nr.optimizers.SGD(0.1), "mse")
    >>> history = model.fit(x, 2 * x, epochs=3, verbose=0)
    >>> len(history.history["loss"])
    3
    """

    def __init__(self):
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []
        self.divergence = None  # where the loss became NaN/Inf, set by TerminateOnNaN

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def _repr_html_(self):
        """In a notebook: the learning curves, inline."""
        if not self.history.get("loss"):
            return "<p>History: no epoch yet</p>"
        import base64
        import io
        from .viz import plot_history
        buf = io.BytesIO()
        plot_history(self).savefig(buf, format="png")
        return f'<img alt="learning curves" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


def _monitor_op(monitor, mode, model):
    """``np.less`` when smaller is better, ``np.greater`` otherwise (Keras' 'auto' rule)."""
    if mode == "min":
        return np.less
    if mode == "max":
        return np.greater
    name = monitor[4:] if monitor.startswith("val_") else monitor
    if name == "loss":
        return np.less
    for metric in getattr(model, "compiled_metrics", []) or []:
        if metric.name == name:
            return np.greater if metric.direction == "up" else np.less
    if any(k in name for k in ("acc", "auc", "precision", "recall")):
        return np.greater
    if any(k in name for k in ("loss", "error", "mse", "mae")):
        return np.less
    raise ValueError(f"cannot tell whether {monitor!r} should be minimized or maximized: pass mode='min' or 'max'")


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs (Keras' rule,
    including ``baseline``, ``start_from_epoch`` and ``restore_best_weights``, which restores the weights of
    the best epoch at the end of training).

    >>> import numpy as np
    >>> import neurona as nr
    >>> x = np.linspace(-1, 1, 32, dtype=np.float32).reshape(-1, 1)
    >>> model = nr.Sequential([nr.layers.Input((1,)), nr.layers.Dense(1)])
    >>> model.compile(nr.optimizers.SGD(0.1), "mse")
    >>> stop = nr.callbacks.EarlyStopping(monitor="loss", patience=2, min_delta=10.0)
    >>> history = model.fit(x, 2 * x, epochs=50, verbose=0, callbacks=[stop])
    >>> len(history.history["loss"])
    3
    """

    def __init__(self, monitor="val_loss", min_delta=0.0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor, self.min_delta, self.patience, self.verbose = monitor, abs(min_delta), patience, verbose
        self.mode, self.baseline, self.restore_best_weights = mode, baseline, restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.monitor_op = None

    def on_train_begin(self, logs=None):
        # a callback reused by another fit starts afresh (Keras 3): no best value, wait or weights carried over
        self.wait, self.stopped_epoch, self.best_weights, self.best_epoch = 0, 0, None, 0
        self.monitor_op = None

    def _improves(self, value, reference):
        return bool(self.monitor_op(value - self.min_delta, reference))

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self.monitor_op = _monitor_op(self.monitor, self.mode, self.model)
            self.min_delta = -abs(self.min_delta) if self.monitor_op is np.less else abs(self.min_delta)
            self.best = math.inf if self.monitor_op is np.less else -math.inf
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(f"EarlyStopping: {self.monitor!r} is not in the logs ({', '.join(logs or {})})")
            return
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self._improves(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._improves(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class ModelCheckpoint(Callback):
    """Save the model (or only its weights) after each epoch to ``filepath``, which may hold fields such as
    ``{epoch:02d}`` and ``{val_loss:.3f}``; with ``save_best_only`` only when ``monitor`` improves.

    >>> import numpy as np
    >>> import neurona as nr
    >>> x = np.linspace(-1, 1, 32, dtype=np.float32).reshape(-1, 1)
    >>> model = nr.Sequential([nr.layers.Input((1,)), nr.layers.Dense(1)])
    >>> model.compile(nr.optimizers.SGD(0.1), "mse")
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> cb = nr.callbacks.ModelCheckpoint(os.path.join(folder, "epoch{epoch:02d}.neurona"))
    >>> _ = model.fit(x, 2 * x, epochs=2, verbose=0, callbacks=[cb])
    >>> sorted(os.listdir(folder))
    ['epoch01.neurona', 'epoch02.neurona']
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto"):
        super().__init__()
        self.filepath, self.monitor, self.verbose = str(filepath), monitor, verbose
        self.save_best_only, self.save_weights_only, self.mode = save_best_only, save_weights_only, mode
        self.monitor_op, self.best = None, None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_best_only:
            if self.monitor_op is None:
                self.monitor_op = _monitor_op(self.monitor, self.mode, self.model)
                self.best = math.inf if self.monitor_op is np.less else -math.inf
            current = logs.get(self.monitor)
            if current is None:
                warnings.warn(f"ModelCheckpoint: {self.monitor!r} is not in the logs; nothing saved")
                return
            if not self.monitor_op(current, self.best):
                return
            if self.verbose:
                print(f"Epoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to {current:.5f}, "
                      f"saving model to {path}")
            self.best = current
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when ``monitor`` stalls for ``patience`` epochs (Keras' rule with
    ``min_delta``, ``cooldown`` and ``min_lr``).

    >>> import numpy as np
    >>> import neurona as nr
    >>> x = np.linspace(-1, 1, 32, dtype=np.float32).reshape(-1, 1)
    >>> model = nr.Sequential([nr.layers.Input((1,)), nr.layers.Dense(1)])
    >>> model.compile(nr.optimizers.SGD(0.1), "mse")
    >>> cb = nr.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=10.0)
    >>> _ = model.fit(x, 2 * x, epochs=3, verbose=0, callbacks=[cb])
    >>> round(model.optimizer.learning_rate, 4)
    0.025
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto", min_delta=1e-4,
                 cooldown=0, min_lr=0.0):
        super().__init__()
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau: factor must be < 1")
        self.monitor, self.factor, self.patience, self.verbose = monitor, factor, patience, verbose
        self.mode, self.min_delta, self.cooldown, self.min_lr = mode, min_delta, cooldown, min_lr
        self.monitor_op = None

    def on_train_begin(self, logs=None):
        self.wait, self.cooldown_counter = 0, 0
        self.monitor_op = _monitor_op(self.monitor, self.mode, self.model)
        self.best = math.inf if self.monitor_op is np.less else -math.inf

    def _improves(self, current):
        if self.monitor_op is np.less:
            return current < self.best - self.min_delta
        return current > self.best + self.min_delta

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["learning_rate"] = self.model.optimizer.learning_rate
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"ReduceLROnPlateau: {self.monitor!r} is not in the logs")
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improves(current):
            self.best, self.wait = current, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = self.model.optimizer.learning_rate
                if old > self.min_lr:
                    new = max(old * self.factor, self.min_lr)
                    self.model.optimizer.learning_rate = new
                    if self.verbose:
                        print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new:.4g}.")
                    self.cooldown_counter, self.wait = self.cooldown, 0


class LearningRateScheduler(Callback):
    """Set the learning rate at each epoch's start to ``schedule(epoch, lr)``.

    >>> import numpy as np
    >>> import neurona as nr
    >>> x = np.linspace(-1, 1, 32, dtype=np.float32).reshape(-1, 1)
    >>> model = nr.Sequential([nr.layers.Input((1,)), nr.layers.Dense(1)])
    >>> model.compile(nr.optimizers.SGD(0.1), "mse")
    >>> cb = nr.callbacks.LearningRateScheduler(lambda epoch, lr: 0.05 if epoch >= 1 else lr)
    >>> _ = model.fit(x, 2 * x, epochs=2, verbose=0, callbacks=[cb])
    >>> model.optimizer.learning_rate
    0.05
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        lr = float(self.schedule(epoch, self.model.optimizer.learning_rate))
        self.model.optimizer.learning_rate = lr
        if self.verbose:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr:.4g}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = self.model.optimizer.learning_rate


class TerminateOnNaN(Callback):
    """Stop training as soon as a batch's loss is NaN or infinite, say in one line where and what to try, and
    record it in the History (``history.divergence``).

    ``fit`` adds one unless it is given ``terminate_on_nan=False``: unlike Keras, where this callback must be
    asked for, a diverging run never goes on quietly. (On a GPU the loss is read every ``LOG_STEPS_GPU``
    batches, so the batch named is where the divergence was seen.)

    >>> import numpy as np
    >>> import neurona as nr
    >>> x = np.linspace(-1, 1, 32, dtype=np.float32).reshape(-1, 1)
    >>> model = nr.Sequential([nr.layers.Input((1,)), nr.layers.Dense(1)])
    >>> model.compile(nr.optimizers.SGD(0.1), "mse")
    >>> model.compile(nr.optimizers.SGD(1e4), "mse")   # far too large a step: the loss overflows
    >>> history = model.fit(x, 1e3 * x, epochs=50, verbose=0, callbacks=[nr.callbacks.TerminateOnNaN()],
    ...                     terminate_on_nan=False)
    >>> len(history.history["loss"]) < 50
    True
    """

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(loss):
            return
        lr = self.model.optimizer.learning_rate
        divergence = {"epoch": getattr(self, "_epoch", 0) + 1, "batch": batch + 1, "loss": loss,
                      "learning_rate": lr}
        print(f"Training diverged at epoch {divergence['epoch']}, batch {batch + 1}: the loss is {loss}, so "
              f"training stopped. Hint: lower the learning rate (now {lr:.3g}), normalize the inputs, or clip "
              "the gradients (e.g. clipnorm=1.0).", file=sys.stderr, flush=True)
        if getattr(self.model, "history", None) is not None:
            self.model.history.divergence = divergence
        self.model.stop_training = True


class CSVLogger(Callback):
    """Write one CSV row per epoch (epoch and every log value) to ``filename`` (in an MPI job: rank 0 only, the
    logs being the same global figures on every rank).

    >>> import numpy as np
    >>> import neurona as nr
    >>> x = np.linspace(-1, 1, 32, dtype=np.float32).reshape(-1, 1)
    >>> model = nr.Sequential([nr.layers.Input((1,)), nr.layers.Dense(1)])
    >>> model.compile(nr.optimizers.SGD(0.1), "mse")
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
    >>> _ = model.fit(x, 2 * x, epochs=2, verbose=0, callbacks=[nr.callbacks.CSVLogger(path)])
    >>> open(path).readline().strip()
    'epoch,loss'
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename, self.separator, self.append = str(filename), separator, append
        self._keys = None

    def on_train_begin(self, logs=None):
        exists = Path(self.filename).exists() and self.append
        self._file = open(self.filename if comm.is_main() else os.devnull, "a" if self.append else "w", newline="")
        self._writer, self._keys = None, None
        self._header_written = exists

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._writer is None:
            self._keys = sorted(logs)
            self._writer = csv.DictWriter(self._file, fieldnames=["epoch"] + self._keys, delimiter=self.separator)
            if not self._header_written:
                self._writer.writeheader()
        self._writer.writerow({"epoch": epoch, **{k: logs.get(k, "NA") for k in self._keys}})
        self._file.flush()

    def on_train_end(self, logs=None):
        self._file.close()


class LambdaCallback(Callback):
    """A callback from plain functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``.

    >>> import numpy as np
    >>> import neurona as nr
    >>> x = np.linspace(-1, 1, 32, dtype=np.float32).reshape(-1, 1)
    >>> model = nr.Sequential([nr.layers.Input((1,)), nr.layers.Dense(1)])
    >>> model.compile(nr.optimizers.SGD(0.1), "mse")
    >>> seen = []
    >>> cb = nr.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    >>> _ = model.fit(x, 2 * x, epochs=3, verbose=0, callbacks=[cb])
    >>> seen
    [0, 1, 2]
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None, on_train_end=None,
                 on_train_batch_begin=None, on_train_batch_end=None):
        super().__init__()
        for name, fn in (("on_epoch_begin", on_epoch_begin), ("on_epoch_end", on_epoch_end),
                         ("on_train_begin", on_train_begin), ("on_train_end", on_train_end),
                         ("on_train_batch_begin", on_train_batch_begin), ("on_train_batch_end", on_train_batch_end)):
            if fn is not None:
                setattr(self, name, fn)


class CallbackList:
    """Calls every callback's hook in order.

    >>> import neurona as nr
    >>> history = nr.callbacks.History()
    >>> calls = nr.callbacks.CallbackList([history], model=None, params={"epochs": 1})
    >>> calls.on_epoch_end(0, {"loss": 0.5})
    >>> history.history
    {'loss': [0.5]}
    """

    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)

    def __getattr__(self, hook):
        def call(*args, **kwargs):
            for cb in self.callbacks:
                getattr(cb, hook)(*args, **kwargs)
        return call


_ELSEWHERE = {"GradientFlow": "gradient_flow", "Report": "report"}   # callbacks that live in their own modules


def __getattr__(name):
    if name in _ELSEWHERE:
        import importlib
        return getattr(importlib.import_module(f"{__package__}.{_ELSEWHERE[name]}"), name)
    raise AttributeError(f"module 'neurona.callbacks' has no attribute {name!r}")

