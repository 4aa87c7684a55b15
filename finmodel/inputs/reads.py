"""What each of the engine's inputs, and each validation rule, reads from the assumptions.

A sweep moves a few key paths over a grid. It compiles each group of keys that can act together
over the group's joint values, and never a key alone where another can change what it does.
Two keys act together when one compiled input (an array of :class:`~finmodel.inputs.compile.Batch`
or
:class:`~finmodel.inputs.compile.VehicleInputs`) or one validation rule reads both. What each input
and
each rule reads is written down here, from the code that computes it (for every value, not as
observed at the base case); ``tests/inputs/test_reads.py`` checks the tables against the code.

A read is a *pattern*: a tuple of key-path segments, as in ``--set`` (``("vehicles", "f",
"return", "rate")``). ``"*"`` stands for any one segment; ``"V"`` as the first segment stands for
``("vehicles", <this vehicle>)``; a last segment ``"?"`` reads only whether that node is set, not
its value. A key touches a pattern when one path lies within the other (the key sets a value
the pattern reads, or replaces a whole section holding it); for a ``"?"`` pattern, only when the
key would create the node (or replaces a section above it). An input or rule not listed here
reads everything: it joins every key, which is slow but never wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from finmodel.engine.batch import FieldPath
from finmodel.inputs.keys import Pattern, segments

if TYPE_CHECKING:
    from finmodel.inputs.models.scenario import Assumptions


_T = ("timeline",)
_PARTY_IDS = ("parties", "*", "?")
#: What a vehicle's money reads: contributions, a stream's payments, a loan's lenders.
_MONEY: tuple[Pattern, ...] = (
    _T,
    _PARTY_IDS,
    ("fx",),
    ("pool",),
    ("V", "capital"),
    ("V", "stream"),
    ("V", "waterfall", "?"),
    ("V", "waterfall", "profit_split"),
)

#: Each field of :class:`~finmodel.inputs.compile.VehicleInputs` and what ``compile._vehicle`` reads
#: to
#: compute it (a loan's shares come from what its lenders lend, hence the money).
VEHICLE_FIELD_READS: dict[str, tuple[Pattern, ...]] = {
    "id": (("V", "?"),),
    "kind": (("V", "kind"),),
    "basis": (("V", "waterfall"),),
    "contributions": _MONEY,
    "deploy_target": (_T, ("V", "deployment")),
    "release_share": (_T, ("V", "release")),
    "return_rate": (_T, ("V", "return", "rate"), ("V", "return", "path")),
    "cash_rate": (_T, ("V", "cash_rate")),
    "payout": (("V", "payout"),),
    "term": (_T, ("V", "term_years")),
    "fee_rate": (_T, ("V", "fee")),
    "fee_basis": (("V", "fee"),),
    "fee_to": (_PARTY_IDS, ("V", "fee")),
    "hurdle_rate": (_T, ("V", "waterfall", "?"), ("V", "waterfall", "hurdle")),
    "hurdle_to": (_PARTY_IDS, ("V", "waterfall", "?"), ("V", "waterfall", "hurdle")),
    "capital_to": (*_MONEY, ("V", "waterfall", "capital_to"), ("V", "loan", "?")),
    "profit_split": (*_MONEY, ("V", "loan", "?")),
    "revenue": _MONEY,
    "opening": (_T, _PARTY_IDS, ("fx",), ("V", "capital"), ("V", "loan", "?")),
    "borrower": (_PARTY_IDS, ("V", "loan")),
    "loan_rate": (_T, ("V", "loan")),
    "repay_first": (_T, ("V", "loan")),
    "repay_last": (_T, ("V", "loan")),
    "serviced_from": (("V", "loan"),),
    "funds_reconstruction": (("V", "funds_reconstruction"),),
    "repay_style": (("V", "loan"),),
    "return_paid_by": (_PARTY_IDS, ("V", "return", "paid_by")),
}

#: The fields of :class:`~finmodel.inputs.compile.Batch` (``pool`` for each of the PoolSplit's
#: arrays;
#: ``vehicle_ids`` for the list of vehicles itself) and what ``compile_batch`` reads.
BATCH_FIELD_READS: dict[str, tuple[Pattern, ...]] = {
    "timeline": (_T,),
    "parties": (_PARTY_IDS,),
    "owner": (_PARTY_IDS, ("pool", "owner")),
    "discount_rate": (("discount_rate",),),
    "claims_recovery": (("claims",),),
    "party_discount": (_PARTY_IDS, ("discount_rate",), ("party_discount_rates",)),
    "pool": (("pool",), ("fx",)),
    "pool_uses": (("pool", "allocation", "*", "vehicle"), ("pool", "allocation", "*", "?")),
    "vehicle_ids": (("vehicles", "*", "?"),),
}

#: Arrays the engine reads from their first row only: they must be the same in every scenario
#: of a batch (``engine.evaluate`` takes a loan's borrower from row 0).
SHARED_ARRAYS = frozenset({"borrower"})


def field_reads(a: Assumptions, fields: list[FieldPath]) -> dict[FieldPath, tuple[Pattern, ...]]:
    """What each compiled input in ``fields`` reads, its patterns made absolute.

    An input not in the tables reads everything (the empty pattern lies within every key).

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> r = field_reads(load("base"), [("vehicles", "us_led_fund", "payout")])
    >>> r[("vehicles", "us_led_fund", "payout")]
    (('vehicles', 'us_led_fund', 'payout'),)
    """
    out: dict[FieldPath, tuple[FieldPath, ...]] = {}
    for path in fields:
        if path[0] == "vehicles" and len(path) == 3:
            pats = VEHICLE_FIELD_READS.get(str(path[2]), ((),))
            out[path] = tuple(_in_vehicle(p, str(path[1])) for p in pats)
        else:
            out[path] = BATCH_FIELD_READS.get(str(path[0]), ((),))
    return out


def _in_vehicle(pattern: Pattern, vid: str) -> Pattern:
    return ("vehicles", vid, *pattern[1:]) if pattern[:1] == ("V",) else pattern


# --- validation rules -------------------------------------------------------------------------

#: Settings of a vehicle whose presence its kind checks (``assumptions._kind_problems``).
_KIND_SETTINGS = (
    "capital", "stream", "loan", "deployment", "release", "cash_rate", "return", "payout",
    "term_years", "fee", "waterfall",
)  # fmt: skip
#: Paths (within a vehicle) that name a party, checked against ``parties``.
_VEHICLE_PARTY_REFS: tuple[Pattern, ...] = (
    ("V", "waterfall", "profit_split"),
    ("V", "waterfall", "capital_to"),
    ("V", "waterfall", "hurdle", "to"),
    ("V", "fee", "to"),
    ("V", "capital", "contributions", "*", "party"),
    ("V", "stream", "payer"),
    ("V", "stream", "energy", "price_per_mwh_by_party"),
    ("V", "stream", "energy", "restart_capital", "paid_by"),
    ("V", "return", "paid_by"),
    ("V", "loan", "borrower"),
)
_W = ("V", "waterfall", "?")
_C = ("V", "capital", "contributions", "*")
_HIGH = ("allow_high_rates",)
#: The cross-field rules of ``checks.problems`` about one vehicle, each as what it reads,
#: by the check that applies it.
_VEHICLE_RULES: dict[str, tuple[tuple[Pattern, ...], ...]] = {
    "party_problems": (
        *((p, _PARTY_IDS) for p in _VEHICLE_PARTY_REFS),
        (("V", "waterfall", "profit_split"),),  # shares sum to 1
        (("V", "waterfall", "capital_to"),),
        (("V", "stream", "energy", "restart_capital", "paid_by"),),
    ),
    "currency_problems": (
        (("V", "capital", "contributions", "*", "currency"), ("fx", "*", "?")),
        (("V", "stream", "currency"), ("V", "stream", "energy", "?"), ("fx", "*", "?")),
        (("V", "stream", "energy", "currency"), ("fx", "*", "?")),
    ),
    "vehicle_problems": (
        (("V", "kind"), ("V", "term_years", "?")),  # a fund needs a term
        (("V", "term_years"), ("V", "deployment")),  # deploys past the term
        (("V", "return", "path"), ("timeline", "years")),
        ((*_C, "before_start"), ("V", "kind")),
        ((*_C, "start_year"), (*_C, "years"), ("V", "term_years")),  # paid before the term
        ((*_C, "start_year"), (*_C, "years"), ("timeline", "years")),
        *((("V", "kind"), ("V", s, "?")) for s in _KIND_SETTINGS),  # settings the kind uses
        (("V", "kind"), ("V", "stream", "?"), _W, ("V", "waterfall", "capital_to", "?")),
        (("V", "kind"), ("V", "stream", "?"), _W, ("V", "waterfall", "hurdle", "?")),
        (
            ("V", "kind"),
            ("V", "stream", "?"),
            _W,
            ("V", "stream", "energy", "?"),
            ("V", "stream", "energy", "price_per_mwh_by_party"),
            ("V", "stream", "energy", "split_as"),
        ),
        (
            ("V", "kind"),
            ("V", "loan", "?"),
            ("V", "capital", "?"),
            ("V", "capital", "contributions", "?"),
        ),
        (
            ("V", "kind"),
            ("V", "loan", "?"),
            ("V", "capital", "?"),
            ("V", "loan", "serviced_from"),
            ("vehicles", "*", "?"),
            ("vehicles", "*", "kind"),
        ),
        (("V", "kind"), _W, ("V", "waterfall", "basis")),
        (_W, ("V", "waterfall", "hurdle", "?"), ("V", "waterfall", "basis")),
        (_W, ("V", "readings"), ("readings", "*", "?")),
    ),
    "rate_problems": (  # a rate above 1, unless the file allows it; only the kind's rates
        (("V", "return", "rate"), ("V", "kind"), _HIGH),
        (("V", "return", "path"), ("V", "kind"), _HIGH),
        (("V", "cash_rate"), ("V", "kind"), _HIGH),
        (("V", "fee", "rate"), ("V", "fee", "?"), _HIGH),
        (("V", "waterfall", "hurdle", "rate"), _W, ("V", "waterfall", "hurdle", "?"), _HIGH),
        (("V", "loan", "rate"), ("V", "loan", "?"), _HIGH),
    ),
}
#: The cross-field rules that are not about one vehicle, by the check that applies them.
_GLOBAL_RULES: dict[str, tuple[tuple[Pattern, ...], ...]] = {
    "party_problems": ((("pool", "owner"), _PARTY_IDS),),
    "currency_problems": (
        (("pool", "holdings", "*", "currency"), ("fx", "*", "?")),
        (("pool", "allocation", "*", "currency"), ("fx", "*", "?")),
        (("needs", "*", "currency"), ("fx", "*", "?")),
        (("fx", "*", "path"), ("timeline", "years")),
    ),
    "pool_problems": (
        (("pool", "holdings", "*", "id"),),  # ids used twice
        (
            ("pool", "allocation", "*", "vehicle"),
            ("pool", "allocation", "*", "?"),
            ("vehicles", "*", "?"),
            ("vehicles", "*", "capital", "?"),
            ("vehicles", "*", "capital", "from"),
        ),
        (
            ("pool", "allocation", "*", "from"),
            ("pool", "holdings", "*", "id"),
            ("pool", "holdings", "*", "?"),
        ),
    ),
    "correlation_problems": (
        (("correlation",), ("vehicles", "*", "?"), ("vehicles", "*", "kind")),
    ),
    "rate_problems": ((("discount_rate",), _HIGH),),
    # a need's first year at most its whole amount
    "need_problems": ((("needs", "*", "first_year_bn"), ("needs", "*", "amount_bn")),),
    # counts of vehicles, parties and periods (limits.py)
    "size_problems": (
        (
            ("timeline", "years"),
            ("timeline", "frequency"),
            ("vehicles", "*", "?"),
            ("parties", "*", "?"),
        ),
    ),
    # the pool's arithmetic: carve-outs that fit, nothing left over (pool.py)
    "allocation_problems": ((("pool",), ("fx",)),),
}

#: Names of the checks ``checks.problems`` runs, whose reads the tables above (and the
#: sources and tornado tables, for ``_source_problems``) describe:
#: ``tests/inputs/test_reads.py`` fails when ``problems`` calls one that is not here.
DESCRIBED_CHECKS = frozenset({*_VEHICLE_RULES, *_GLOBAL_RULES, "source_problems"})


def rule_reads(a: Assumptions) -> list[tuple[Pattern, ...]]:
    """What each validation rule reads, for the vehicles and tables of ``a``: the cross-field
    rules (:func:`problem_reads`), then the models' validators (:func:`model_reads`).

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> rules = rule_reads(load("base"))
    >>> f = ("vehicles", "us_led_fund")
    >>> ((*f, "term_years"), (*f, "deployment")) in rules
    True
    """
    return problem_reads(a) + model_reads(a)


def problem_reads(a: Assumptions) -> list[tuple[Pattern, ...]]:
    """What each cross-field rule of :func:`finmodel.inputs.checks.problems` reads."""
    return [rule for _, rule in problem_checks(a)]


def problem_checks(a: Assumptions) -> list[tuple[str, tuple[Pattern, ...]]]:
    """Each cross-field rule of :func:`finmodel.inputs.checks.problems` as (the name of the check
    that applies it, what it reads), for the vehicles and tables of ``a``.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> f = ("vehicles", "us_led_fund")
    >>> ("rate_problems", ((*f, "return", "rate"), (*f, "kind"), ("allow_high_rates",))) in (
    ...     problem_checks(load("base")))
    True
    """
    out = [(name, rule) for name, rules in _GLOBAL_RULES.items() for rule in rules]
    for vid in a.vehicles:
        out += [
            (name, tuple(_in_vehicle(p, vid) for p in rule))
            for name, rules in _VEHICLE_RULES.items()
            for rule in rules
        ]
    for table in ("sources", "tornado"):
        for k in getattr(a, table) or {}:
            out.append(("source_problems", ((table,), (*segments(k), "?"))))
    return out


def model_reads(a: Assumptions) -> list[tuple[Pattern, ...]]:
    """What the validators of the pydantic models read (each the whole model it sits on, or
    its field), and each list or map of plain values (read whole: shares that sum to 1, a
    path, a matrix), for the models as they stand in ``a``."""
    return _model_rules(a, ())




#: Model validators whose rules the tables above describe one by one: ``Assumptions`` runs
#: :func:`finmodel.inputs.checks.problems` (each check in ``_VEHICLE_RULES`` and
#: ``_GLOBAL_RULES``) when it is validated, so it is not read whole.
DESCRIBED_VALIDATORS = {"Assumptions": {"_consistent"}}


def _model_rules(node: Any, path: Pattern) -> list[tuple[Pattern, ...]]:
    """Validators of the pydantic models in ``node`` (found at ``path``), and lists or maps of
    plain values, each read whole."""
    out: list[tuple[Pattern, ...]] = []
    if isinstance(node, BaseModel):
        decorators = type(node).__pydantic_decorators__
        if set(decorators.model_validators) - DESCRIBED_VALIDATORS.get(type(node).__name__, set()):
            out.append((path,))
        checked = {f for d in decorators.field_validators.values() for f in d.info.fields}
        for name, info in type(node).model_fields.items():
            key = info.alias or name
            value = getattr(node, name)
            if name in checked or _plain_container(value):
                out.append(((*path, key),))
            out += _model_rules(value, (*path, key))
    elif isinstance(node, Mapping):
        for k, v in node.items():
            out += _model_rules(v, (*path, k))
    elif isinstance(node, Sequence) and not isinstance(node, str):
        for i, v in enumerate(node):
            out += _model_rules(v, (*path, i))
    return out


def _plain_container(value: Any) -> bool:
    """A list or map holding no model: read whole by whatever checks it."""
    if isinstance(value, Mapping):
        return not any(isinstance(v, BaseModel) for v in value.values())
    if isinstance(value, Sequence) and not isinstance(value, str):
        return not any(isinstance(v, BaseModel) for v in value)
    return False


# --- keys and what they touch ------------------------------------------------------------------
