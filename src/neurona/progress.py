"""Training progress: a bar with ETA, time per step and running metrics on a terminal (tqdm) during an epoch,
and one plain line per epoch with every metric, so log files hold no control characters.

    Epoch 3/10 - 1.2s - 10ms/step - loss: 0.2131 - accuracy: 0.9375 - val_loss: 0.2510 - val_accuracy: 0.9200
"""
from __future__ import annotations

import shutil
import sys
import time


def format_logs(logs: dict) -> str:
    return " - ".join(f"{k}: {v:.4f}" if isinstance(v, float) else f"{k}: {v}" for k, v in logs.items())


class Progress:
    """``verbose``: 0 silent, 1 a bar during each epoch on a terminal (plain lines elsewhere), 2 plain lines.

    Whatever the mode, each epoch ends with one full line holding every metric, as Keras prints it: a narrow
    terminal may cut the bar's metrics, never that line. A terminal too narrow for a bar (or that reports a
    width of 0) gets the plain lines.
    """

    MIN_BAR_COLUMNS = 40

    def __init__(self, verbose, epochs, steps, stream=None):
        self.stream = stream or sys.stdout
        interactive = getattr(self.stream, "isatty", lambda: False)()
        wide = shutil.get_terminal_size(fallback=(80, 24)).columns >= self.MIN_BAR_COLUMNS
        self.mode = "off" if verbose == 0 else (
            "bar" if verbose == 1 and interactive and wide and _has_tqdm() else "line")
        self.epochs, self.steps = epochs, steps
        self._bar = None

    def epoch_begin(self, epoch):
        self._start = time.perf_counter()
        if self.mode == "bar":
            from tqdm import tqdm
            self._bar = tqdm(total=self.steps, desc=f"Epoch {epoch + 1}/{self.epochs}", file=self.stream,
                             unit="step", dynamic_ncols=True, leave=False)

    def batch_end(self, step, logs):
        if self._bar is not None:
            self._bar.update(1)
            self._bar.set_postfix_str(format_logs(logs), refresh=False)

    def epoch_end(self, epoch, logs):
        elapsed = time.perf_counter() - self._start
        self.close()
        if self.mode != "off":
            per_step = elapsed / max(self.steps, 1) * 1e3
            line = f"Epoch {epoch + 1}/{self.epochs} - {elapsed:.2f}s - {per_step:.2f}ms/step - {format_logs(logs)}"
            print(line, file=self.stream, flush=True)

    def close(self):
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _has_tqdm() -> bool:
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True
