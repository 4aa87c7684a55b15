"""The limits on what finmodel reads, in one place; ``docs/limits.md`` says why and what
happens past each.

Every limit is checked before the work it bounds, and going past one is bad input: an
:class:`~finmodel.exceptions.InputError` (exit code 2) that names the file and the line
where known. The limits are far above anything the plan's scenarios need (the base case is
23 KB, 7 vehicles, 5 parties, 7 holdings, 31 periods) and low enough that no file within
them can make a run take unbounded time or memory.

Examples
--------
>>> MAX_FILE_BYTES // 1024, MAX_DEPTH, MAX_VEHICLES
(1024, 32, 5000)
"""

from __future__ import annotations

import datetime as dt

#: Bytes in all the files of one scenario together: the file and every file it extends.
MAX_FILE_BYTES = 1 << 20
#: Files in one ``extends`` chain, the scenario's own file included.
MAX_EXTENDS = 16
#: Levels of mappings and lists inside one another in a file; parts of a ``--set`` key path.
MAX_DEPTH = 32
#: Values that YAML aliases (``*name``) may repeat, on top of the values a file writes out.
MAX_ALIAS_VALUES = 10_000
#: Decimal digits of an integer in a file (Python's own limit for reading one).
MAX_INT_DIGITS = 4_300

#: Counts of things in a scenario.
MAX_VEHICLES = 5_000
MAX_PARTIES = 200
MAX_HOLDINGS = 1_000
MAX_CARVEOUTS = 1_000
#: Entries of any other list or table of a scenario (needs, readings, sources, tornado keys,
#: contributions, a path's years, a carve-out's ``from``...).
MAX_ENTRIES = 1_000
#: Characters in any one text (a name, a description, a source's note): what one workbook cell
#: holds; Excel repairs a file with a longer cell, cutting it.
MAX_TEXT = 32_767
#: Timeline: at most 100 years; monthly, that is 1,200 periods.
MAX_YEARS = 100
#: The engine's arrays hold a number per vehicle, party and period: at most this many.
MAX_CELLS = 5_000_000
#: Each vehicle has a schedule with a column per period, in the engine and in the workbook's
#: sheets: vehicles x periods at most this many (3,000 vehicles on 30 annual periods fit).
MAX_VEHICLE_PERIODS = 100_000

#: Dates a timeline may start on; the last period ends by 2300.
FIRST_START = dt.date(1900, 1, 1)
LAST_START = dt.date(2200, 12, 31)
#: Dates a source may carry (what Excel's 1900 date system and a four-digit year can show).
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(9999, 12, 31)
