"""The names a scenario's reports take, and the scenario names that would collide with them.

A scenario's ``name`` names its report files (``NAME.xlsx``, ``NAME.flows.csv``...): the
models refuse a name whose files would be another command's (:func:`name_problem`), and the
reports write the files :data:`OUTPUTS` lists.
"""

from __future__ import annotations

#: The files each command writes for a scenario named NAME (``{}`` stands for NAME).
#: ``compare`` writes one set whatever the scenarios are called.
OUTPUTS: dict[str, tuple[str, ...]] = {
    "run": ("{}.xlsx", "{}.flows.csv", "{}.schedule.csv", "{}.summary.json"),
    "sweep": ("{}.sweep.csv", "{}.sweep.xlsx"),
    "simulate": ("{}.simulation.csv", "{}.simulation.xlsx"),
    "tornado": ("{}.tornado.csv", "{}.tornado.xlsx"),
    "compare": ("compare.csv", "compare.xlsx"),
    "explore": ("{}.explore.html",),
    "solve": ("{}.solve.csv", "{}.solve.json"),
    "sensitivity": ("{}.sensitivity.csv", "{}.sensitivity.xlsx"),
}



#: Endings a scenario name may not have (compared ignoring case): the word before the
#: extension of every file above that is not NAME's own ``NAME.xlsx``.
RESERVED_ENDINGS = (
    "flows", "schedule", "summary", "sweep", "simulation", "tornado", "explore", "solve",
    "sensitivity",
)  # fmt: skip



#: Names a scenario may not have: the fixed names above.
RESERVED_NAMES = ("compare",)

#: Names Windows keeps for devices, with any extension (``CON.xlsx`` opens the console, not a
#: file): a report named so could be written on Linux and never opened by a colleague on Windows.
WINDOWS_DEVICES = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{d}{i}" for d in ("com", "lpt") for i in range(1, 10)]
)



def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a scenario's reports (its files would be another command's),
    or None.

    Examples
    --------
    >>> name_problem("base") is None
    True
    >>> name_problem("base.Sweep").split(":")[0]
    "ends in '.Sweep', which finmodel sweep gives the files of 'base' (base.sweep.csv)"
    >>> name_problem("Compare").split(":")[0]
    "'Compare' is the name of the compare command's files (compare.xlsx)"
    >>> name_problem("aux.v2").split(":")[0]
    "'aux.v2' names a device on Windows (AUX), so its report files could not be opened there"
    """
    device = name.split(".")[0].casefold()
    if device in WINDOWS_DEVICES:
        return (
            f"'{name}' names a device on Windows ({device.upper()}), so its report files "
            f"could not be opened there: choose another name, e.g. "
            f"'{name.replace('.', '_')}_reading'"
        )
    if name.casefold() in RESERVED_NAMES:
        return (
            f"'{name}' is the name of the compare command's files ({name.casefold()}.xlsx): "
            f"choose another name, e.g. '{name}_reading'"
        )
    stem, dot, ending = name.rpartition(".")
    if dot and ending.casefold() in RESERVED_ENDINGS:
        command, pattern = next(
            (c, p) for c, pats in OUTPUTS.items() for p in pats
            if p.startswith(f"{{}}.{ending.casefold()}.")
        )  # fmt: skip
        return (
            f"ends in '.{ending}', which finmodel {command} gives the files of '{stem}' "
            f"({pattern.format(stem)}): choose another name, e.g. '{stem}_{ending}'"
        )
    return None
