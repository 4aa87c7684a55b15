"""Shared by every test folder: ``tests/`` on ``sys.path``, so that each test file, wherever it
sits in the mirror of the package (``tests/engine/``, ``tests/inputs/``, ``tests/studies/``,
``tests/reports/``), imports the builders and strategies of ``tests/strategies.py`` by name."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
