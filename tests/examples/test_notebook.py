"""The example notebook runs from top to bottom, its own asserts included, and is stored clean.

``examples/three_questions.ipynb`` holds cells of ``assert`` that check the model's numbers
against numbers worked out by hand from the assumptions (the pool by its exchange rates,
Zaporizhzhia's output in closed form, an NPV by a plain loop over the flows), so executing it
is the test. It is stored without outputs: what it shows always comes from the code of the
commit that runs it, and a diff of the notebook shows only what a person changed.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "examples" / "three_questions.ipynb"


def test_notebook_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "the notebook has no code"
    for cell in code:
        assert cell.outputs == [], cell.source[:60]
        assert cell.execution_count is None, cell.source[:60]


def test_notebook_runs_and_its_asserts_hold():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # run from the repository's root, as a reader would, with the finmodel found there
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()  # raises CellExecutionError, with the cell and its traceback, if one fails
    printed = "".join(
        out.get("text", "") for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
    )
    # each question's last cell prints its line only after every assert before it held
    assert printed.count(": checked") == 3, printed
