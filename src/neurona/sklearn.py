"""scikit-learn estimators: ``NeuronaClassifier`` and ``NeuronaRegressor`` (in the manner of scikeras and skorch).

They work wherever scikit-learn takes an estimator: ``cross_val_score``, ``GridSearchCV`` (over
``learning_rate``, ``epochs``, ``hidden_units``, ...), a ``Pipeline`` after a ``ColumnTransformer``. They pass
scikit-learn's ``check_estimator`` (``tests/test_sklearn.py`` lists the checks they are excused from, each with its
reason).

The network is, in order of precedence:

- ``model``, a function returning a Sequential (compiled or not). It is called with the keyword arguments it
  declares among ``n_features_in``, ``n_outputs`` (the classes of a classifier, the targets of a regressor),
  ``hidden_units``, ``activation`` and ``learning_rate``. An uncompiled model is compiled with ``optimizer``,
  ``learning_rate`` and the task's loss.
- ``model``, a list of hidden layers. They are copied at every fit, and the estimator adds the input and the output
  layer.
- ``None``: ``hidden_units`` Dense layers of ``activation``.

Classifiers end in a softmax over the classes (``classes_`` may hold strings) with sparse categorical
cross-entropy. Sparse inputs (a ``OneHotEncoder``'s output) are densified. Regressors end in a linear layer
with the mean squared error. ``random_state`` seeds the weights,
the dropout and the shuffling, so a fit can be repeated exactly.

>>> import numpy as np
>>> from neurona.sklearn import NeuronaClassifier
>>> x = np.array([[0.0], [0.1], [0.9], [1.0]] * 10); y = np.array(["no", "no", "yes", "yes"] * 10)
>>> clf = NeuronaClassifier(hidden_units=(8,), epochs=60, learning_rate=0.05, random_state=0).fit(x, y)
>>> clf.predict([[0.05], [0.95]]).tolist()
['no', 'yes']
"""
from __future__ import annotations

import inspect
import os
import tempfile

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

__all__ = ["NeuronaClassifier", "NeuronaRegressor"]


class _NeuronaEstimator(BaseEstimator):
    _loss = None
    _output_activation = None

    def __init__(self, model=None, hidden_units=(100,), activation="relu", optimizer="adam", learning_rate=1e-3,
                 epochs=50, batch_size=32, validation_split=0.0, callbacks=None, random_state=None, verbose=0):
        self.model = model
        self.hidden_units = hidden_units
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.validation_split = validation_split
        self.callbacks = callbacks
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True   # densified before training
        return tags

    # ---- building ---------------------------------------------------------------------------------------------
    def _build(self, n_features, n_outputs):
        import neurona as nr
        from neurona import layers as L
        if self.random_state is not None:
            nr.utils.set_random_seed(int(self.random_state))
        if callable(self.model) and not isinstance(self.model, (list, tuple)):
            offered = {"n_features_in": n_features, "n_outputs": n_outputs, "hidden_units": self.hidden_units,
                       "activation": self.activation, "learning_rate": self.learning_rate}
            accepted = inspect.signature(self.model).parameters
            network = self.model(**{k: v for k, v in offered.items() if k in accepted})
            if not isinstance(network, nr.models.Model):
                raise TypeError(f"{type(self).__name__}: model must return a neurona model, got "
                                f"{type(network).__name__}")
        else:
            hidden = self._hidden_layers()
            network = nr.Sequential([L.Input((n_features,)), *hidden,
                                     L.Dense(n_outputs, activation=self._output_activation)])
        if network.compiled_loss is None:
            optimizer = nr.optimizers.get(self.optimizer)
            optimizer.learning_rate = self.learning_rate
            network.compile(optimizer, self._loss)
        return network

    def _hidden_layers(self):
        from neurona import layers as L
        if self.model is None:
            units = (self.hidden_units,) if np.isscalar(self.hidden_units) else tuple(self.hidden_units)
            return [L.Dense(int(u), activation=self.activation) for u in units]
        if isinstance(self.model, (list, tuple)):
            return [type(layer).from_config(_without_name(layer.get_config())) for layer in self.model]
        raise TypeError(f"{type(self).__name__}: model must be None, a list of layers or a function returning a "
                        f"neurona model, got {type(self.model).__name__}")

    def _train(self, x, y, n_outputs):
        self.model_ = self._build(x.shape[1], n_outputs)
        self.history_ = self.model_.fit(x, y, epochs=int(self.epochs), batch_size=int(self.batch_size),
                                        validation_split=self.validation_split, callbacks=self.callbacks,
                                        verbose=self.verbose)
        return self

    def _outputs(self, X):
        check_is_fitted(self, "model_")
        x = _dense(validate_data(self, X, reset=False, dtype=np.float32, accept_sparse=True))
        return self.model_.predict(x, verbose=0)

    # ---- pickling: the network travels as a saved model --------------------------------------------------------
    def __getstate__(self):
        state = dict(self.__dict__)
        if "model_" in state:
            state["model_"] = _model_bytes(state["model_"])
            state.pop("history_", None)
        return state

    def __setstate__(self, state):
        if isinstance(state.get("model_"), bytes):
            state["model_"] = _model_from_bytes(state["model_"])
        self.__dict__.update(state)


class NeuronaClassifier(ClassifierMixin, _NeuronaEstimator):
    """A neurona network as a scikit-learn classifier: ``fit``, ``predict``, ``predict_proba``, ``score``
    (accuracy). See :mod:`neurona.sklearn` for the parameters.

    >>> import neurona as nr
    >>> from sklearn.datasets import make_classification
    >>> from neurona.sklearn import NeuronaClassifier
    >>> x, y = make_classification(200, n_features=4, random_state=0)
    >>> clf = NeuronaClassifier(hidden_units=(16,), epochs=30, random_state=0).fit(x, y)
    >>> bool(clf.score(x, y) > 0.8), clf.classes_.tolist()
    (True, [0, 1])
    """
    _loss = "sparse_categorical_crossentropy"
    _output_activation = "softmax"

    def fit(self, X, y):
        x, y = validate_data(self, X, y, dtype=np.float32, accept_sparse=True)
        x = _dense(x)
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        self.encoder_ = LabelEncoder().fit(y)
        self.classes_ = self.encoder_.classes_
        if len(self.classes_) < 2:
            raise ValueError(f"{type(self).__name__}: y holds one class ({self.classes_[0]!r}); a classifier needs "
                             "at least two")
        return self._train(x, self.encoder_.transform(y), len(self.classes_))

    def predict_proba(self, X):
        """The probability of each class (columns in the order of ``classes_``)."""
        return self._outputs(X).astype(np.float64)

    def predict(self, X):
        best = np.argmax(self._outputs(X), axis=1)   # first: an unfitted estimator raises NotFittedError
        return self.classes_[best]


class NeuronaRegressor(RegressorMixin, _NeuronaEstimator):
    """A neurona network as a scikit-learn regressor: ``fit``, ``predict``, ``score`` (R²). One or several
    targets.

    >>> import neurona as nr
    >>> import numpy as np
    >>> from neurona.sklearn import NeuronaRegressor
    >>> x = np.linspace(-1, 1, 100).reshape(-1, 1)
    >>> reg = NeuronaRegressor(hidden_units=(16,), epochs=100, random_state=0).fit(x, 3 * x.ravel())
    >>> bool(reg.score(x, 3 * x.ravel()) > 0.9)
    True
    """
    _loss = "mse"
    _output_activation = None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True   # a 2-D y trains one output unit per target
        return tags

    def fit(self, X, y):
        x, y = validate_data(self, X, y, dtype=np.float32, y_numeric=True, multi_output=True, accept_sparse=True)
        x = _dense(x)
        self.single_target_ = y.ndim == 1
        y = y.reshape(len(y), -1).astype(np.float32)
        return self._train(x, y, y.shape[1])

    def predict(self, X):
        out = self._outputs(X).astype(np.float64)
        return out[:, 0] if self.single_target_ else out


def _dense(x):
    """A dense array (a one-hot encoder's sparse output is densified: the network's products are dense)."""
    return x.toarray() if hasattr(x, "toarray") else x


def _without_name(config):
    config = dict(config)
    config.pop("name", None)
    return config


def _model_bytes(model) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.neurona")
        model.save(path)
        with open(path, "rb") as f:
            return f.read()


def _model_from_bytes(data: bytes):
    import neurona as nr
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.neurona")
        with open(path, "wb") as f:
            f.write(data)
        return nr.load_model(path)
