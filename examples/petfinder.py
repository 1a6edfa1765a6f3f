"""PetFinder.my (the lecture's tabular exercise): will a pet be adopted within three months?

The tutorial's binary target is AdoptionSpeed != 4. Numeric columns (age, fee, photos) are normalized with the
training set's mean and standard deviation; categorical ones (type, breed, colours, ...) are looked up and
one-hot encoded, again from the training set only. A small network with dropout and a sigmoid output, binary
cross-entropy, Adam.

    python examples/petfinder.py --data ../shared/data/petfinder
"""
from __future__ import annotations

import neurona as nr
from neurona import layers as L
from neurona.datasets.petfinder import CATEGORICAL, NUMERIC

from _common import parse, run, save_model, show


def main(argv=None):
    args = parse(__doc__.splitlines()[0], argv, data=True)
    frame, adopted, _ = nr.datasets.load_petfinder(args.data)
    train, test, y, y_test = nr.datasets.train_test_split(frame, adopted, test_size=0.2, stratify=adopted,
                                                          seed=args.seed)
    encoder = nr.datasets.TabularEncoder(numeric=NUMERIC, categorical=CATEGORICAL).adapt(train)
    x, x_test = encoder.transform(train), encoder.transform(test)
    print(f"{len(x)} training pets, {len(x_test)} test pets, {x.shape[1]} encoded features")

    nr.utils.set_random_seed(args.seed)
    model = nr.Sequential([L.Input((x.shape[1],)), L.Dense(64, activation="relu"), L.Dropout(0.5),
                           L.Dense(1, activation="sigmoid")])
    model.compile(nr.optimizers.Adam(1e-3), "binary_crossentropy", ["accuracy", "auc"])
    history = model.fit(x, y, epochs=8 if args.quick else 20, batch_size=32, validation_split=0.2, verbose=0)
    loss, accuracy, auc = model.evaluate(x_test, y_test, verbose=0)
    figures = {"test accuracy": accuracy, "test AUC": auc, "test loss": loss,
               "majority-class accuracy": float(max(y_test.mean(), 1 - y_test.mean())),
               "diagnosis": nr.diagnose(history).verdict}
    show("PetFinder: adopted within three months?", figures)
    nr.viz.plot_history(history, args.out / "petfinder_learning_curves.png", title="PetFinder")
    print(f"  picture: {args.out / 'petfinder_learning_curves.png'}")
    save_model(model, args.out / "petfinder.neurona", x_test[:64])
    return figures


if __name__ == "__main__":
    run(main)
