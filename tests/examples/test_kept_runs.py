"""``examples/_runs.py``: a run is kept and found again by the readers that did not make it (the gallery asks
``kept`` for the full run the slow tests made), and an example's changed source makes it stale."""
from ..conftest import EXAMPLE_RUNS, example_run


def test_a_kept_run_is_found_again_with_its_dataset_arguments():
    made = example_run("petfinder")              # skipped without ../shared/data/petfinder
    found = EXAMPLE_RUNS.kept("petfinder")
    assert found is not None and found.facts == made.facts and found.output == made.output


def test_a_run_is_stale_once_its_key_changes(monkeypatch):
    example_run("computational_graph")
    assert EXAMPLE_RUNS.kept("computational_graph") is not None
    original = EXAMPLE_RUNS.key
    monkeypatch.setattr(EXAMPLE_RUNS, "key", lambda *a: original(*a) + "-changed")
    assert EXAMPLE_RUNS.kept("computational_graph") is None
