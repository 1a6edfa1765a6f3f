"""The compiled training step (trace once, replay many) against eager mode, its reference: the same bits."""
from __future__ import annotations

import numpy as np
import pytest

import neurona as nr
from neurona.autograd.compiled import Plan, Tape, tape_difference

L = nr.layers


def _mlp():
    return nr.Sequential([L.Input((6,)), L.Dense(8, activation="relu", kernel_regularizer="l2"),
                          L.Dense(5, activation="tanh"), L.Dense(3, activation="softmax")])


MODELS = {  # name: (builder, x maker, loss, targets maker)
    "mlp": (_mlp, lambda r: r.standard_normal((70, 6)), "sparse_categorical_crossentropy",
            lambda r: r.integers(0, 3, 70)),
    "mlp_onehot_labels_n1": (_mlp, lambda r: r.standard_normal((70, 6)), "sparse_categorical_crossentropy",
                             lambda r: r.integers(0, 3, (70, 1))),
    "regression": (lambda: nr.Sequential([L.Input((6,)), L.Dense(8, activation="gelu"), L.Dense(1)]),
                   lambda r: r.standard_normal((70, 6)), "mse", lambda r: r.standard_normal(70)),
    "binary": (lambda: nr.Sequential([L.Input((6,)), L.Dense(4, activation="relu"), L.Dense(1, activation="sigmoid")]),
               lambda r: r.standard_normal((70, 6)), "binary_crossentropy", lambda r: r.integers(0, 2, 70)),
    "dropout": (lambda: nr.Sequential([L.Input((6,)), L.Dense(8, activation="relu"), L.Dropout(0.4),
                                       L.Dense(3, activation="softmax")]),
                lambda r: r.standard_normal((70, 6)), "sparse_categorical_crossentropy",
                lambda r: r.integers(0, 3, 70)),
    "cnn": (lambda: nr.Sequential([L.Input((8, 8, 1)), L.Conv2D(4, 3, activation="relu", padding="same"),
                                   L.MaxPooling2D(2), L.Conv2D(3, 3), L.GlobalAveragePooling2D(),
                                   L.Dense(3, activation="softmax")]),
            lambda r: r.standard_normal((70, 8, 8, 1)), "sparse_categorical_crossentropy",
            lambda r: r.integers(0, 3, 70)),
    "lstm": (lambda: nr.Sequential([L.Input((5, 4)), L.LSTM(6, return_sequences=True), L.LSTM(5),
                                    L.Dense(3, activation="softmax")]),
             lambda r: r.standard_normal((70, 5, 4)), "sparse_categorical_crossentropy",
             lambda r: r.integers(0, 3, 70)),
    "embedding_gru": (lambda: nr.Sequential([L.Input((5,)), L.Embedding(10, 4), L.Bidirectional(L.GRU(6)),
                                             L.Dense(3, activation="softmax")]),
                      lambda r: r.integers(0, 10, (70, 5)), "sparse_categorical_crossentropy",
                      lambda r: r.integers(0, 3, 70)),
    "transformer": (lambda: nr.Sequential([L.Input((5, 4)), L.Dense(8), L.PositionEmbedding(5),
                                           L.TransformerEncoder(16, 2, dropout=0.1), L.GlobalAveragePooling1D(),
                                           L.Dense(3, activation="softmax")]),
                    lambda r: r.standard_normal((70, 5, 4)), "sparse_categorical_crossentropy",
                    lambda r: r.integers(0, 3, 70)),
}


def _train(name, jit, epochs=3, optimizer="adam", **fit_kwargs):
    build, make_x, loss, make_y = MODELS[name]
    rng = np.random.default_rng(0)
    x, y = make_x(rng), make_y(rng)
    nr.utils.set_random_seed(3)
    model = build()
    metrics = ["accuracy"] if "categorical" in loss else []
    model.compile(optimizer() if callable(optimizer) else optimizer, loss, metrics=metrics, jit=jit)
    history = model.fit(x, y, batch_size=16, epochs=epochs, verbose=0, **fit_kwargs)
    return model, history


def _assert_same_training(name, **kwargs):
    eager, h_eager = _train(name, jit=False, **kwargs)
    compiled, h_compiled = _train(name, jit=True, **kwargs)
    assert eager.compiled_training is None
    # 70 samples in batches of 16: one signature of 16 and one of 6, both replayed by the third epoch
    assert compiled.compiled_training.counts() == {"compiled": 2, "eager": 0, "traced": 0}, \
        compiled.compiled_training.why_eager
    assert h_compiled.history == h_eager.history
    for a, b in zip(compiled.weights, eager.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    for a, b in zip(compiled.optimizer.state_arrays().values(), eager.optimizer.state_arrays().values()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_compiled_fit_gives_the_eager_bits(name):
    _assert_same_training(name)


@pytest.mark.parametrize("make", [lambda: "sgd", lambda: "rmsprop",
                                  lambda: nr.optimizers.SGD(0.05, momentum=0.9, clipnorm=1.0),
                                  lambda: nr.optimizers.AdamW(0.01, global_clipnorm=0.5)],
                         ids=["sgd", "rmsprop", "sgd_momentum_clipnorm", "adamw_global_clipnorm"])
def test_compiled_fit_with_other_optimizers(make):
    _assert_same_training("mlp", optimizer=make)


def test_compiled_fit_with_sample_and_class_weights():
    weights = np.linspace(0.1, 2.0, 70)
    _assert_same_training("mlp", sample_weight=weights, class_weight={0: 1.0, 1: 2.0, 2: 0.5})


def test_compiled_fit_with_validation_data():
    _assert_same_training("mlp", validation_split=0.2)


def test_a_layer_that_lies_about_being_static_stays_eager_and_says_why():
    class Noisy(L.Layer):  # declares itself static, but draws new noise every step
        compilable = True

        def call(self, x, training=False):
            noise = np.random.default_rng().standard_normal(x.shape).astype(np.float32)
            return x + nr.tensor(noise) if training else x

    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((64, 6)), rng.integers(0, 3, 64)
    liar = nr.Sequential([L.Input((6,)), Noisy(), L.Dense(3, activation="softmax")])
    liar.compile("adam", "sparse_categorical_crossentropy")
    liar.fit(x, y, batch_size=16, epochs=2, verbose=0)
    assert liar.compiled_training.counts() == {"compiled": 0, "eager": 1, "traced": 0}
    (why,) = liar.compiled_training.why_eager.values()
    assert "add" in why and "input 1" in why


def test_a_subclassed_model_is_eager_unless_it_declares_itself_static():
    class Two(nr.Model):
        def __init__(self):
            super().__init__()
            self.hidden, self.out = L.Dense(4, activation="relu"), L.Dense(1)

        def call(self, x, training=False):
            return self.out(self.hidden(x))

    class DeclaredTwo(Two):
        compilable = True

        def call(self, x, training=False):
            return super().call(x, training)

    assert not Two().is_compilable()
    assert DeclaredTwo().is_compilable()
    assert L.Dropout(0.1).is_compilable()  # its mask is a primitive, drawn again at each replay
    assert not L.BatchNormalization().is_compilable()


def test_compile_checks_jit():
    model = _mlp()
    with pytest.raises(ValueError, match="jit must be True, False or 'auto', got 'yes'"):
        model.compile("adam", "mse", jit="yes")
    model.compile("adam", "mse", jit_compile=False)
    assert model.jit is False


def test_plan_gradients_equal_the_closed_form():
    w = nr.tensor(np.array([[1.0, -2.0], [0.5, 3.0]]), requires_grad=True)
    b = nr.tensor(np.array([0.1, -0.2]), requires_grad=True)
    x0 = nr.tensor(np.ones((3, 2)))
    with Tape([x0]) as tape:
        h = nr.tanh(x0 @ w + b)
        loss = (h * h).sum() + (w * w).sum()  # w used twice: the gradient adds both paths
    plan = Plan(tape.finish([loss]), [w, b])
    x = np.arange(6.0).reshape(3, 2) / 5
    (value,), (gw, gb) = plan.run([x])
    h = np.tanh(x @ w.data + b.data)
    dz = 2 * h * (1 - h * h)
    np.testing.assert_allclose(value, (h * h).sum() + (w.data ** 2).sum(), rtol=1e-12)
    np.testing.assert_allclose(gw, x.T @ dz + 2 * w.data, rtol=1e-12)
    np.testing.assert_allclose(gb, dz.sum(axis=0), rtol=1e-12)


def test_tape_difference_names_the_first_difference():
    def traced(value):
        x = nr.tensor(np.ones(3))
        with Tape([x]) as tape:
            y = x * nr.tensor(np.full(3, value))
        return tape.finish([y])
    assert tape_difference(traced(2.0), traced(2.0)) is None
    assert tape_difference(traced(2.0), traced(3.0)) == ("primitive #0 (mul) got another value as input 1 (a "
                                                          "constant computed outside the primitives?)")


@pytest.mark.parametrize("name", sorted(MODELS))
def test_compiled_predict_gives_the_eager_bits(name):
    build, make_x, _, _ = MODELS[name]
    x = make_x(np.random.default_rng(1))
    nr.utils.set_random_seed(0)
    model = build()
    model.jit = False
    eager = model.predict(x, batch_size=16, verbose=0)
    model.jit = True
    for _ in range(3):  # traced, traced, replayed
        np.testing.assert_array_equal(model.predict(x, batch_size=16, verbose=0), eager)
    assert sum(v.__class__ is Plan for v in model._compiled_inference.by_signature.values()) == 2
    model.jit = False
    eager_one = model.predict(x[:1], verbose=0)   # one sample: one batch, the latency path
    model.jit = True
    for _ in range(3):
        np.testing.assert_array_equal(model.predict(x[:1], verbose=0), eager_one)


def test_the_straight_line_forward_equals_the_plans_loop():
    """``Plan.outputs_only`` runs the forward pass written out as Python (autograd/straight_line.py); the loop of
    ``Plan._forward`` is its reference. Both see records whose parameters come from the batch (the embedding's
    ids), records that return aux (attention), records no later record reads, and outputs read again later."""
    from neurona.autograd.straight_line import straight_line_source
    kinds = set()
    for name in ("embedding_gru", "transformer", "cnn", "lstm"):
        build, make_x, _, _ = MODELS[name]
        x = make_x(np.random.default_rng(1))[:9]
        nr.utils.set_random_seed(0)
        model = build()
        for _ in range(3):
            model.predict(x, verbose=0)
        plan = next(iter(model._compiled_inference.by_signature.values()))
        slots, _ = plan._forward((x,))
        for a, b in zip(plan.outputs_only((x,)), [slots[k] for k in plan.outputs]):
            np.testing.assert_array_equal(a, b)
        source = straight_line_source(plan.steps, plan.outputs)
        kinds |= {kind for kind, needle in (("params_for", "**pf"), ("aux", ")[0]"), ("del", "    del "))
                  if needle in source}
    assert kinds == {"params_for", "aux", "del"}


def test_compiled_predict_follows_changes_to_the_model():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 6)).astype(np.float32)
    model = nr.Sequential([L.Input((6,)), L.Dense(4, activation="relu"), L.Dense(2)])
    for _ in range(3):
        model.predict(x, verbose=0)
    model.layers[0].activation = nr.activations.get("tanh")  # a changed attribute: traced again
    h = np.tanh(x @ model.layers[0].kernel.numpy() + model.layers[0].bias.numpy())
    expected = h @ model.layers[1].kernel.numpy() + model.layers[1].bias.numpy()
    for _ in range(3):
        np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    model.set_weights([np.zeros_like(w) for w in model.get_weights()])  # new weights are read at every replay
    np.testing.assert_array_equal(model.predict(x, verbose=0), np.zeros((5, 2), np.float32))
    model.add(L.Dense(3))  # a new layer: traced again
    assert model.predict(x, verbose=0).shape == (5, 3)


def test_compiled_predict_keeps_a_bounded_number_of_shapes():
    from neurona.models.compiled_step import MAX_SIGNATURES
    model = nr.Sequential([L.Input((None, 3)), L.LSTM(2)])
    rng = np.random.default_rng(0)
    for steps in range(1, MAX_SIGNATURES + 10):
        x = rng.standard_normal((2, steps, 3)).astype(np.float32)
        model.jit = False
        expected = model.predict(x, verbose=0)
        model.jit = True
        np.testing.assert_array_equal(model.predict(x, verbose=0), expected)
    assert len(model._compiled_inference.by_signature) <= MAX_SIGNATURES


def _fit_in_parts(jit, change=None, name="mlp"):
    """Model ``name`` trained by three calls of ``fit`` (one epoch each), ``change(model)`` before the third."""
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((70, 6)), rng.integers(0, 3, 70)
    nr.utils.set_random_seed(3)
    model = MODELS[name][0]()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"], jit=jit)
    steps, losses = [], []
    for part in range(3):
        if part == 2 and change is not None:
            change(model)
        losses.append(model.fit(x, y, batch_size=16, epochs=1, verbose=0).history["loss"])
        steps.append(model.compiled_training)
    return model, steps, losses


def _assert_same_weights(a, b):
    for u, v in zip(a.weights, b.weights):
        np.testing.assert_array_equal(u.numpy(), v.numpy())


def test_the_compiled_step_is_kept_from_one_fit_to_the_next_with_the_eager_bits():
    """A second ``fit`` replays the plans the first one traced (Keras keeps its train_function likewise), and the
    weights after three fits are eager mode's, bit for bit; ``predict`` between fits keeps its plans too."""
    eager, _, eager_losses = _fit_in_parts(jit=False)
    model, steps, losses = _fit_in_parts(jit=True)
    assert steps[0] is steps[1] is steps[2]
    assert steps[2].counts() == {"compiled": 2, "eager": 0, "traced": 0}
    assert losses == eager_losses
    _assert_same_weights(model, eager)


def test_a_change_to_a_layer_between_fits_traces_the_step_again():
    """A layer's attribute assigned between two fits (here its activation) is seen: the third fit traces anew, and
    its result is eager mode's under the same change."""
    def to_sigmoid(model):
        model.layers[1].activation = "sigmoid"
    eager, _, eager_losses = _fit_in_parts(jit=False, change=to_sigmoid)
    model, steps, losses = _fit_in_parts(jit=True, change=to_sigmoid)
    assert steps[0] is steps[1] and steps[2] is not steps[1]
    assert losses == eager_losses
    _assert_same_weights(model, eager)


def test_setting_the_seed_between_fits_traces_again_so_dropout_follows_it():
    """Dropout's generator follows the global seed: after ``set_random_seed`` between two fits, the kept step would
    draw from the old generator, so the third fit traces anew and draws eager mode's masks."""
    def reseed(model):
        nr.utils.set_random_seed(7)
    eager, _, eager_losses = _fit_in_parts(jit=False, change=reseed, name="dropout")
    model, steps, losses = _fit_in_parts(jit=True, change=reseed, name="dropout")
    assert steps[0] is steps[1] and steps[2] is not steps[1]
    assert losses == eager_losses
    _assert_same_weights(model, eager)
