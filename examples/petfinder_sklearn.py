"""PetFinder.my with scikit-learn's tools around a neurona network: a ColumnTransformer pipeline (scaled numbers,
one-hot categories), a grid search over the learning rate, the epochs and the hidden units, and the
cross-validated accuracy of every setting.

    python examples/petfinder_sklearn.py --data ../shared/data/petfinder
"""
from __future__ import annotations

import time

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import neurona as nr
from neurona.datasets.petfinder import CATEGORICAL, NUMERIC
from neurona.sklearn import NeuronaClassifier

from _common import parse, run, show


def main(argv=None):
    args = parse(__doc__.splitlines()[0], argv, data=True)
    frame, adopted, _ = nr.datasets.load_petfinder(args.data)
    labels = np.where(adopted == 1, "adopted", "not adopted")       # string classes: classes_ keeps them
    train, test, y, y_test = nr.datasets.train_test_split(frame, labels, test_size=0.2, stratify=labels,
                                                          seed=args.seed)
    if args.quick:
        train, y = train[:3000], y[:3000]
    pipe = Pipeline([("columns", ColumnTransformer([("numeric", StandardScaler(), NUMERIC),
                                                    ("categorical", OneHotEncoder(handle_unknown="ignore"),
                                                     CATEGORICAL)])),
                     ("net", NeuronaClassifier(batch_size=64, random_state=args.seed))])
    grid = {"net__learning_rate": [1e-3, 1e-2], "net__epochs": [3, 10] if args.quick else [5, 20],
            "net__hidden_units": [(16,), (64,)]}
    start = time.perf_counter()
    search = GridSearchCV(pipe, grid, cv=3, scoring="accuracy").fit(train, y)
    seconds = time.perf_counter() - start
    print(f"\n{'learning rate':>14} {'epochs':>7} {'hidden':>8} {'CV accuracy':>12} {'+-':>6}")
    results = search.cv_results_
    for params, mean, std in sorted(zip(results["params"], results["mean_test_score"], results["std_test_score"]),
                                    key=lambda row: -row[1]):
        print(f"{params['net__learning_rate']:>14g} {params['net__epochs']:>7} "
              f"{str(params['net__hidden_units']):>8} {mean:>12.4f} {std:>6.4f}")
    figures = {"best setting": str({k.split('__')[1]: v for k, v in search.best_params_.items()}),
               "best CV accuracy": float(search.best_score_), "test accuracy": float(search.score(test, y_test)),
               "majority-class accuracy": float(max(np.mean(y_test == "adopted"), np.mean(y_test != "adopted"))),
               "search seconds": seconds}
    show("PetFinder, scikit-learn pipeline and grid search", figures)
    return figures


if __name__ == "__main__":
    run(main)
