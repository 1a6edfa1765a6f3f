"""Generate ``notebooks/*.ipynb`` from ``examples/*.py``: the examples are the one source.

Each notebook opens with the lecture topic its example covers (the first line of the example's docstring), then
holds the example's code, a cell that runs it with quick settings, and a cell that shows its pictures inline.

    python notebooks/generate.py          # rewrite every notebook
    python notebooks/generate.py --check  # exit 1 if a notebook differs from what its example gives
"""
from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples"
SKIP = {"distributed_mnist"}   # runs under mpiexec; a notebook kernel is one process


def notebook_for(script: Path):
    """The notebook (an ``nbformat`` node) of one example script."""
    import nbformat
    source = script.read_text()
    module = ast.parse(source)
    doc = ast.get_docstring(module) or script.stem
    topic, _, rest = doc.partition("\n")
    lines = source.splitlines()
    body_start = module.body[1].lineno - 1 if ast.get_docstring(module) else 0
    main_guard = next(i for i, node in enumerate(module.body) if isinstance(node, ast.If))
    code = "\n".join(lines[body_start:module.body[main_guard].lineno - 1]).strip()
    cells = [
        nbformat.v4.new_markdown_cell(f"# {script.stem.replace('_', ' ').capitalize()}\n\n**The lecture:** {topic}"
                                      f"\n\n{rest.strip()}\n\n*Generated from `examples/{script.name}` by "
                                      "`notebooks/generate.py`: edit the example, not this notebook.*"),
        nbformat.v4.new_code_cell('import sys\nsys.path.insert(0, "../examples")   # the examples\' shared helpers'),
        nbformat.v4.new_code_cell(code.replace("from __future__ import annotations\n\n", "")),
        nbformat.v4.new_code_cell(f'figures = main(["--quick", "--out", "notebook-out/{script.stem}"])'),
        nbformat.v4.new_code_cell("from pathlib import Path\nfrom IPython.display import Image, display\n\n"
                                  f'for picture in sorted(Path("notebook-out/{script.stem}").glob("*.png")):\n'
                                  "    display(Image(filename=str(picture)))"),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for i, cell in enumerate(notebook.cells):   # stable ids: regenerating changes nothing
        cell["id"] = f"{script.stem[:40]}-{i}"
    return notebook


def _cells(notebook):
    return [(cell.cell_type, cell.source) for cell in notebook.cells]


def scripts():
    return sorted(p for p in EXAMPLES.glob("*.py") if not p.stem.startswith("_") and p.stem not in SKIP)


def main(argv=None) -> int:
    import nbformat
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    stale = []
    for script in scripts():
        notebook = notebook_for(script)
        target = HERE / f"{script.stem}.ipynb"
        if args.check:   # the cells' kinds and sources (not the file's bytes, which vary with nbformat's version)
            if not target.exists() or _cells(nbformat.read(target, as_version=4)) != _cells(notebook):
                stale.append(target.name)
        else:
            target.write_text(nbformat.writes(notebook) + "\n")
    if stale:
        print(f"out of date: {', '.join(stale)}; run python notebooks/generate.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
