"""One training run for the data-parallel tests: the same file runs as one process (``python train.py``) and
under ``mpiexec -n 2``. Rank 0 writes the final weights to ``--out`` (an .npz).

    python train.py --case adam --out w.npz [--no-allreduce] [--epochs 1] [--save-at EPOCH --model-file F]
"""
import argparse

import numpy as np

import neurona as nr
from neurona import layers as L

parser = argparse.ArgumentParser()
parser.add_argument("--case", choices=["sgd", "adam", "dropout", "syncbn", "manual", "allreduce"], required=True)
parser.add_argument("--out", required=True)
parser.add_argument("--no-allreduce", action="store_true", help="the negative control: gradients stay local")
parser.add_argument("--epochs", type=int, default=1)
parser.add_argument("--initial-epoch", type=int, default=0)
parser.add_argument("--resume", help="a saved model to load and train on (checkpoint test)")
parser.add_argument("--no-shuffle", action="store_true")
args = parser.parse_args()

nr.backend.set_floatx("float64")
nr.distributed.init()
if args.no_allreduce:
    import neurona.distributed.fit as parallel_fit
    import neurona.distributed.optimizer as parallel_optimizer
    parallel_fit.sum_gradients = lambda buffers: None
    parallel_optimizer.average_gradients = lambda buffers: None

rng = np.random.default_rng(0)
x = rng.standard_normal((300, 6))
y = (x[:, :3].sum(axis=1) > 0).astype(np.int64) + (x[:, 3] > 1)   # 3 classes
nr.utils.set_random_seed(0)


def manual_loop():
    """PyTorch's way: each rank takes its half of every global batch of 20; DistributedOptimizer (``manual``) or
    allreduce_gradients (``allreduce``) averages."""
    w1 = nr.tensor(rng.standard_normal((6, 16)) * 0.3, requires_grad=True)
    w2 = nr.tensor(rng.standard_normal((16, 3)) * 0.3, requires_grad=True)
    opt = nr.optimizers.Adam([w1, w2], lr=0.01)
    if args.case == "manual":
        opt = nr.distributed.DistributedOptimizer(opt)
    nr.distributed.broadcast_parameters([w1, w2])
    size, rank = nr.distributed.size(), nr.distributed.rank()
    for step in range(20):
        batch = slice(step * 20 + rank * (20 // size), step * 20 + (rank + 1) * (20 // size))
        logits = nr.relu(nr.tensor(x[batch]) @ w1) @ w2
        loss = nr.losses.SparseCategoricalCrossentropy(from_logits=True)(y[batch], logits)
        opt.zero_grad()
        loss.backward()
        if args.case == "allreduce":        # the other way: average the .grad, then a plain optimizer's step
            nr.distributed.allreduce_gradients([w1, w2])
        opt.step()
    return [w1.numpy(), w2.numpy()]


def keras_fit():
    if args.resume:
        model = nr.load_model(args.resume)
    else:
        hidden = [L.Dense(16, activation="relu")]
        if args.case == "dropout":
            hidden.append(L.Dropout(0.3))
        if args.case == "syncbn":
            hidden.append(L.BatchNormalization(synchronized=True))
        model = nr.Sequential([L.Input((6,)), *hidden, L.Dense(3, activation="softmax")])
        optimizer = nr.optimizers.SGD(0.1, momentum=0.9) if args.case == "sgd" else nr.optimizers.Adam(0.01)
        model.compile(optimizer, "sparse_categorical_crossentropy", ["accuracy"])
    # a global batch of 15: shards of 8 and 7 rows on two ranks, 20 steps an epoch
    history = model.fit(x, y, batch_size=15, epochs=args.epochs, initial_epoch=args.initial_epoch, verbose=0,
                        shuffle=not args.no_shuffle, distribute=True, validation_split=0.0)
    if nr.distributed.is_main():
        print("history", history.history)
    model.save(args.out.replace(".npz", ".neurona"))
    return [w.numpy() for w in model.weights]


weights = manual_loop() if args.case in ("manual", "allreduce") else keras_fit()
if nr.distributed.is_main():
    np.savez(args.out, *weights)
    print(f"rank {nr.distributed.rank()} of {nr.distributed.size()}: wrote {args.out}")
