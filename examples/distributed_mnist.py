"""MNIST on several processes: data-parallel training over MPI (the lecture: deep learning scales with data and
hardware). The same script runs on one process and on many:

    python examples/distributed_mnist.py --data ../shared/data/mnist/idx
    mpiexec -n 2 python examples/distributed_mnist.py --data ../shared/data/mnist/idx

Every rank loads the data and builds the same model; ``fit(distribute=True)`` gives each rank its shard of every
global batch of 256, averages the gradients with one Allreduce per step, and logs global figures. Only rank 0
prints and saves. Needs ``pip install 'neurona[mpi]'`` to run under mpiexec.
"""
from __future__ import annotations

import time

import neurona as nr
from neurona import layers as L

from _common import parse, run, save_model, show


def main(argv=None):
    args = parse(__doc__.splitlines()[0], argv, data=True)
    nr.distributed.init()
    rank, size = nr.distributed.rank(), nr.distributed.size()
    (x, y), (x_test, y_test) = nr.datasets.load_mnist(args.data)
    x, x_test = x.reshape(len(x), -1) / 255.0, x_test.reshape(len(x_test), -1) / 255.0
    if args.quick:
        x, y = x[:8192], y[:8192]
    print(f"rank {rank} of {size}: {len(x)} samples loaded; this rank trains on 1/{size} of every global batch",
          flush=True)
    nr.utils.set_random_seed(args.seed)
    model = nr.Sequential([L.Input((784,)), L.Dense(256, activation="relu"), L.Dropout(0.2),
                           L.Dense(10, activation="softmax")])
    model.compile(nr.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", ["accuracy"])
    start = time.perf_counter()
    history = model.fit(x, y, batch_size=256, epochs=2 if args.quick else 10, validation_split=0.1, verbose=2,
                        distribute=True)
    seconds = time.perf_counter() - start
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)
    if nr.distributed.is_main():
        show(f"MNIST MLP on {size} rank(s), global batch 256", {
            "ranks": size, "final training loss (global)": history.history["loss"][-1],
            "final validation accuracy (global)": history.history["val_accuracy"][-1],
            "test accuracy": accuracy, "test loss": loss, "training seconds": seconds})
        save_model(model, args.out / "distributed_mnist.neurona", x_test[:16])


if __name__ == "__main__":
    run(main)
