"""Files that load, and files that must not: ``load_model`` checks the format version, raises
``CheckpointError`` for any malformed file, and bounds its memory by what the model needs, never by what the
file claims. Saving follows the umask and cleans up after a killed save."""
import io
import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import neurona as nr
from neurona.io import CheckpointError
from ..models.helpers import small_classifier


def saved(tmp_path, name="m.neurona"):
    path = tmp_path / name
    model = small_classifier()
    model.fit(*_data(), epochs=1, verbose=0)
    model.save(path)
    return path


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 8)).astype(np.float32)
    return x, (x[:, 0] > 0).astype(np.float32)


def entries(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def write(path, items, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as z:
        for name, data in items.items():
            z.writestr(name, data)


def npz(**arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def st(**arrays):
    """A safetensors blob (the weights of format version 2); ``__`` in a keyword stands for ``/``."""
    from safetensors.numpy import save
    return save({k.replace("__", "/"): v for k, v in arrays.items()})


def as_version_1(items):
    """The entries of a version-2 file rewritten as neurona 0.1 wrote them: weights.npz (arrays in order,
    "0000"...) and optimizer.npz, format_version 1."""
    from safetensors.numpy import load
    weights = load(items["weights.safetensors"])
    out = {k: v for k, v in items.items() if not k.endswith(".safetensors")}
    out["metadata.json"] = json.dumps({**json.loads(items["metadata.json"]), "format_version": 1}).encode()
    out["weights.npz"] = npz(**{f"{i:04d}": a for i, a in enumerate(weights.values())})
    if "optimizer.safetensors" in items:
        out["optimizer.npz"] = npz(**load(items["optimizer.safetensors"]))
    return out


def test_an_unknown_format_version_names_the_supported_ones(tmp_path):
    path = saved(tmp_path)
    items = entries(path)
    meta = json.loads(items["metadata.json"])
    items["metadata.json"] = json.dumps({**meta, "format_version": 99}).encode()
    write(path, items)
    with pytest.raises(CheckpointError, match="format version 99 .* reads versions 1"):
        nr.load_model(path)


def mutations(items):
    """Malformed variants of a valid file's entries (format version 1 or 2): (description, entries)."""
    config = json.loads(items["config.json"])
    compile_config = json.loads(items["compile.json"])
    yield "config is a list", {**items, "config.json": b"[1, 2]"}
    yield "config is not JSON", {**items, "config.json": b"{nope"}
    yield "config is deeply nested", {**items, "config.json": b"[" * 100000 + b"]" * 100000}
    yield "no class name", {**items, "config.json": json.dumps({"config": config["config"]}).encode()}
    yield "unknown class", {**items, "config.json": json.dumps({**config, "class_name": "Nope"}).encode()}
    layers = config["config"]["layers"]
    for field, value in [("units", "many"), ("units", -3), ("activation", "nope"), ("activation", 5),
                         ("rate", 2.0), ("kernel_initializer", {"bad": 1}), ("shape", "x"), ("shape", [-1]),
                         ("shape", [10 ** 12]), ("units", 10 ** 9), ("shape", [3.5])]:
        for i in range(len(layers)):
            changed = json.loads(json.dumps(config))
            changed["config"]["layers"][i]["config"][field] = value
            yield f"layer {i} {field}={value!r}", {**items, "config.json": json.dumps(changed).encode()}
    yield "layers is a dict", {**items, "config.json": json.dumps(
        {**config, "config": {**config["config"], "layers": {"a": 1}}}).encode()}
    yield "input shape is a string", {**items, "config.json": json.dumps(
        {**config, "config": {**config["config"], "input_shape": "8"}}).encode()}
    yield "metadata is a list", {**items, "metadata.json": b"[]"}
    yield "no metadata", {k: v for k, v in items.items() if k != "metadata.json"}
    version = json.loads(items["metadata.json"])["format_version"]
    yield from (_npz_weight_mutations if version == 1 else _safetensors_weight_mutations)(items)
    yield "unknown optimizer", {**items, "compile.json": json.dumps(
        {**compile_config, "optimizer": {"class_name": "Nope", "config": {}}}).encode()}
    yield "unknown loss", {**items, "compile.json": json.dumps({**compile_config, "loss": "nope"}).encode()}
    yield "compile is a list", {**items, "compile.json": b"[1]"}


def _npz_weight_mutations(items):
    yield "no weights", {k: v for k, v in items.items() if k != "weights.npz"}
    yield "no config", {k: v for k, v in items.items() if k != "config.json"}
    yield "weights not a zip", {**items, "weights.npz": b"PK\x03\x04garbage"}
    yield "weights of another shape", {**items, "weights.npz": npz(**{f"{i:04d}": np.zeros((3, 3), np.float32)
                                                                      for i in range(4)})}
    yield "a weight missing", {**items, "weights.npz": npz(**{"0000": np.zeros((8, 16), np.float32)})}
    yield "weights as float64", {**items, "weights.npz": npz(**{f"{i:04d}": np.zeros(s, np.float64) for i, s in
                                                              enumerate([(8, 16), (16,), (16, 1), (1,)])})}
    yield "weights pickled", {**items, "weights.npz": npz(**{"0000": np.array([object()], dtype=object)})}
    yield "optimizer state of another shape", {**items, "optimizer.npz": npz(iterations=np.array(3), **{
        "group0/m": np.zeros(5, np.float32), "group0/v": np.zeros(5, np.float32)})}
    yield "optimizer state missing a slot", {**items, "optimizer.npz": npz(iterations=np.array(3))}


def _safetensors_weight_mutations(items):
    from safetensors.numpy import load
    names = list(load(items["weights.safetensors"]))
    shapes = [(8, 16), (16,), (16, 1), (1,)]
    yield "no weights", {k: v for k, v in items.items() if k != "weights.safetensors"}
    yield "no config", {k: v for k, v in items.items() if k != "config.json"}
    yield "weights not safetensors", {**items, "weights.safetensors": b"garbage, not a header"}
    yield "weights with a header longer than the file", {**items, "weights.safetensors": (10 ** 9).to_bytes(8, "little")
                                                         + b"{}"}
    yield "weights header not JSON", {**items, "weights.safetensors": (5).to_bytes(8, "little") + b"{nope"}
    yield "weights of another shape", {**items, "weights.safetensors": st(**{n.replace("/", "__"): np.zeros(
        (3, 3), np.float32) for n in names})}
    yield "a weight missing", {**items, "weights.safetensors": st(**{names[0].replace("/", "__"): np.zeros(
        (8, 16), np.float32)})}
    yield "weights renamed", {**items, "weights.safetensors": st(**{f"w{i}": np.zeros(s, np.float32) for i, s in
                                                                    enumerate(shapes)})}
    yield "weights as float64", {**items, "weights.safetensors": st(**{n.replace("/", "__"): np.zeros(s, np.float64)
                                                                       for n, s in zip(names, shapes)})}
    yield "optimizer state of another shape", {**items, "optimizer.safetensors": st(iterations=np.array(3), **{
        "group0__m": np.zeros(5, np.float32), "group0__v": np.zeros(5, np.float32)})}
    yield "optimizer state missing a slot", {**items, "optimizer.safetensors": st(iterations=np.array(3))}


@pytest.mark.parametrize("version", [1, 2])
def test_every_malformed_file_raises_checkpoint_error(tmp_path, version):
    path = saved(tmp_path)
    items = entries(path) if version == 2 else as_version_1(entries(path))
    cases = list(mutations(items))
    assert len(cases) > 50
    for description, damaged in cases:
        write(path, damaged)
        with pytest.raises(CheckpointError):
            nr.load_model(path)
            pytest.fail(f"{description}: loaded without an error")


def test_random_damage_gives_checkpoint_error_or_the_same_model(tmp_path):
    """Flip or cut bytes anywhere: the loader raises CheckpointError, or (when the damage hit bytes nothing
    reads) loads the very same model. Never any other exception."""
    path = saved(tmp_path)
    original = path.read_bytes()
    x, _ = _data()
    expected = nr.load_model(path).predict(x)
    rng = np.random.default_rng(0)
    for trial in range(300):
        data = bytearray(original)
        if trial % 3 == 0:
            data = data[: int(rng.integers(0, len(data)))]
        else:
            for position in rng.integers(0, len(data), size=int(rng.integers(1, 4))):
                data[position] ^= int(rng.integers(1, 256))
        path.write_bytes(bytes(data))
        try:
            model = nr.load_model(path)
        except CheckpointError:
            continue
        np.testing.assert_array_equal(model.predict(x), expected, err_msg=f"trial {trial}")


BOMB = """
    import resource, sys, neurona as nr
    from neurona.io import CheckpointError
    try:
        nr.load_model(sys.argv[1])
        outcome = "loaded"
    except CheckpointError as exc:
        outcome = "CheckpointError: " + str(exc)
    print(outcome)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def load_in_a_new_process(path):
    proc = subprocess.run([sys.executable, "-c", BOMB.replace("\n    ", "\n"), str(path)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    outcome, megabytes = proc.stdout.strip().splitlines()
    return outcome, int(megabytes)


def baseline_megabytes(tmp_path):
    return load_in_a_new_process(saved(tmp_path, "plain.neurona"))[1]


def assert_refused_within_memory(path, tmp_path, words):
    """Loading ``path`` in a new process raises CheckpointError mentioning ``words``, at about baseline RSS."""
    outcome, megabytes = load_in_a_new_process(path)
    assert outcome.startswith("CheckpointError") and words in outcome, outcome
    assert megabytes < baseline_megabytes(tmp_path) + 100


@pytest.mark.parametrize("version", [1, 2])
def test_a_zip_bomb_is_refused_before_it_is_expanded(tmp_path, version):
    """A 1.5 MB file whose weights expand to 1.5 GB: refused, and the process stays near its usual size."""
    items = entries(saved(tmp_path))
    items = items if version == 2 else as_version_1(items)
    weights = "weights.safetensors" if version == 2 else "weights.npz"
    bomb = tmp_path / "bomb.neurona"
    block = bytes(1 << 20)
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in items.items():
            if name != weights:
                z.writestr(name, data)
        with z.open(weights, "w", force_zip64=True) as f:
            for _ in range(1536):
                f.write(block)
    assert bomb.stat().st_size < 2_000_000
    assert_refused_within_memory(bomb, tmp_path, "expand")


def test_an_array_header_that_disagrees_with_the_config_is_refused_before_allocating(tmp_path):
    """weights.npz (version 1) claims a (100000, 100000) float32 array (40 GB) in a few bytes: refused unread."""
    path = saved(tmp_path)
    items = as_version_1(entries(path))
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False,
                                                  "shape": (100000, 100000)})
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        for i in range(4):
            z.writestr(f"{i:04d}.npy", header.getvalue() + bytes(64))
    write(path, {**items, "weights.npz": inner.getvalue()})
    assert_refused_within_memory(path, tmp_path, "(100000, 100000)")


def test_a_safetensors_header_that_disagrees_with_the_config_is_refused_before_allocating(tmp_path):
    """weights.safetensors claims a (100000, 100000) float32 tensor (40 GB) in a few bytes: refused unread."""
    from safetensors.numpy import load
    path = saved(tmp_path)
    items = entries(path)
    names = list(load(items["weights.safetensors"]))
    # 1 KB of data: enough for the model's weights, so that the header is what refuses the file
    header = {n: {"dtype": "F32", "shape": [100000, 100000], "data_offsets": [0, 64]} for n in names}
    blob = json.dumps(header).encode()
    write(path, {**items, "weights.safetensors": len(blob).to_bytes(8, "little") + blob + bytes(1024)})
    assert_refused_within_memory(path, tmp_path, "(100000, 100000)")


def test_a_config_asking_for_huge_weights_is_refused_before_building(tmp_path):
    path = saved(tmp_path)
    items = entries(path)
    config = json.loads(items["config.json"])
    config["config"]["layers"][1]["config"]["units"] = 10 ** 8  # 8 x 1e8 floats: 3.2 GB of kernel
    write(path, {**items, "config.json": json.dumps(config).encode()})
    assert_refused_within_memory(path, tmp_path, "too few")


def test_entries_the_loader_does_not_use_are_never_read(tmp_path):
    """An extra entry (here a 1 GB zero block, deflated) is skipped without being decompressed."""
    path = saved(tmp_path)
    x, _ = _data()
    expected = nr.load_model(path).predict(x)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as z:
        with z.open("huge.bin", "w", force_zip64=True) as f:
            for _ in range(1024):
                f.write(bytes(1 << 20))
    outcome, megabytes = load_in_a_new_process(path)
    assert outcome == "loaded" and megabytes < baseline_megabytes(tmp_path) + 100
    np.testing.assert_array_equal(nr.load_model(path).predict(x), expected)


def test_saving_follows_the_umask_like_open(tmp_path):
    old = os.umask(0o027)
    try:
        path = saved(tmp_path)
        assert (path.stat().st_mode & 0o777) == 0o640
        os.chmod(path, 0o604)
        small_classifier().save(path)  # replacing a file keeps its mode, as open("w") does
        assert (path.stat().st_mode & 0o777) == 0o604
        small_classifier().save_weights(tmp_path / "w.npz")
        assert ((tmp_path / "w.npz").stat().st_mode & 0o777) == 0o640
    finally:
        os.umask(old)


def test_a_temporary_file_left_by_a_killed_save_is_cleaned_up(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    stale = tmp_path / f".m.neurona.{dead}.abc123.tmp"
    live = tmp_path / f".m.neurona.{os.getpid()}.def456.tmp"  # a save in progress in a live process
    other = tmp_path / f".other.neurona.{dead}.abc123.tmp"
    for f in (stale, live, other):
        f.write_bytes(b"half a model")
    saved(tmp_path)
    assert not stale.exists() and live.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".m.neurona")) == [live.name]
