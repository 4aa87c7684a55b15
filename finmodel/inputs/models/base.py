"""The building blocks of the assumption models: the frozen base model, the constrained number
and text types, read-only tables, sources, and turning pydantic's errors into messages.

Every model forbids unknown keys (a typo is an error, not a silently ignored line), is frozen
all the way down (its lists are tuples, its tables read-only dicts), holds finite numbers only
and texts with no control character but tab and line feed (a report could not write one, and a
terminal would act on it). ``model_copy(update=...)`` validates the copy as a file would be.

Amounts are in billions of their currency (``amount_bn``); rates are annual effective decimals.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from finmodel import limits
from finmodel.exceptions import InputError, also, shown


class ReadOnlyDict(dict):
    """A dict that cannot be changed: a table of validated assumptions.

    It is a dict for every reader (``json``, ``isinstance``, pydantic's dump); a change
    raises ``TypeError``. Change a scenario with ``with_overrides`` or ``model_copy(update=)``,
    which validate the result.

    Examples
    --------
    >>> d = ReadOnlyDict(us=0.5)
    >>> d["us"], isinstance(d, dict)
    (0.5, True)
    >>> d.pop("us")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: validated assumptions cannot be changed in place: ...
    """

    __slots__ = ()

    def _read_only(self, *args: object, **kwargs: object) -> None:
        raise TypeError(
            "validated assumptions cannot be changed in place: use with_overrides or "
            "model_copy(update=...)"
        )

    __setitem__ = __delitem__ = __ior__ = _read_only  # type: ignore[assignment]
    pop = popitem = clear = update = setdefault = _read_only  # type: ignore[assignment]

    def __reduce__(self) -> tuple:  # copy and pickle as a new read-only dict
        return (type(self), (dict(self),))

    def __copy__(self) -> ReadOnlyDict:
        return self

    def __deepcopy__(self, memo: dict) -> ReadOnlyDict:
        return self  # nothing in it can change: a copy may share it


K = TypeVar("K")
V = TypeVar("V")
#: A table of a scenario: a dict once validated, read-only.
Table = Annotated[dict[K, V], AfterValidator(ReadOnlyDict)]

#: A real number from the file; ``true`` or ``"0.06"`` are type errors, not numbers.
#: (Every number of every model is finite: ``.inf`` and ``.nan`` are refused.)
Num = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Rate = Annotated[float, Field(strict=True, gt=-1.0, lt=10.0, allow_inf_nan=False)]
Share = Annotated[float, Field(strict=True, ge=0.0, le=1.0, allow_inf_nan=False)]
Amount = Annotated[float, Field(strict=True, ge=0.0, lt=1e6, allow_inf_nan=False)]
Ident = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]

CURRENCY = r"^[A-Z]{3}$"


#: Characters a text may hold: those YAML lets a file hold as they are, less carriage return
#: and the C1 controls; so no control character but tab and line feed, no lone surrogate.
_TEXT = re.compile(r"[\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")

#: Invisible characters that change how a text reads without showing: bidirectional embeddings,
#: overrides and isolates (a name that displays as another), line and paragraph separators (a
#: one-line name that breaks a line), zero-width space, word joiner and invisible operators, and
#: the byte-order mark. Left-to-right and right-to-left marks and the zero-width joiners that
#: scripts and emoji need stay.
_HIDDEN = re.compile("[\u200b\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def text_problem(value: object) -> str | None:
    r"""What makes ``value`` (a text, or a table or list holding texts) unfit to print or to
    write into a workbook; None when nothing does.

    Examples
    --------
    >>> text_problem("Ukraine"), text_problem({"a": ["ok", "bell\x07"]})
    (None, "holds '\\x07', a control character (character 5 of 'bell\\x07')")
    >>> text_problem("US\u202eAS").split(" (")[0]  # a right-to-left override: shows "USSA"
    "holds '\\u202e', an invisible character that changes how the text reads"
    """
    if isinstance(value, str):
        if len(value) > limits.MAX_TEXT:
            return (
                f"holds {len(value):,} characters; a text may hold at most "
                f"{limits.MAX_TEXT:,}, what one workbook cell holds ({shown(value)})"
            )
        end = _TEXT.match(value).end()  # type: ignore[union-attr]  # matches "" at least
        if end == len(value):
            hidden = _HIDDEN.search(value)
            if hidden is None:
                return None
            c, at = hidden.group(), hidden.start() + 1
            return (
                f"holds {shown(c)}, an invisible character that changes how the text reads "
                f"(character {at} of {shown(value)}): remove it"
            )
        c = value[end]
        what = (
            "half of a UTF-16 pair, no character" if "\ud800" <= c <= "\udfff"
            else "no character" if c in "\ufffe\uffff"
            else "a control character"
        )  # fmt: skip
        return f"holds {shown(c)}, {what} (character {end + 1} of {shown(value)})"
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, (list, tuple)):
        for item in value:
            found = text_problem(item)
            if found:
                return found
    return None


class Model(BaseModel):
    """Base of every assumption model: frozen all the way down (tuples and read-only dicts),
    unknown keys forbidden, numbers finite, texts free of control characters."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )

    @field_validator("*", mode="after")
    @classmethod
    def _plain_text(cls, v: Any) -> Any:
        found = text_problem(v)
        if found and "a control character" in found:
            found += "; text may hold tabs and line breaks but no other control character"
        if found:
            raise ValueError(found)
        return v

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Any:
        """A copy with ``update`` (field names) applied, validated as a file would be, checks
        across fields included: pydantic's own copy skips validation. Without ``update`` the
        copy is this object, which cannot change.

        Raises
        ------
        InputError
            What the update makes invalid, with its key path.

        Examples
        --------
        >>> from finmodel.inputs.loader import load
        >>> a = load("base")
        >>> a.model_copy(update={"discount_rate": 0.07}).discount_rate
        0.07
        >>> a.model_copy(update={"discount_rate": float("nan")})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        finmodel.exceptions.InputError: model_copy: discount_rate: ...finite number (got nan)
        """
        if not update:
            return self
        fields = {k: getattr(self, k) for k in self.model_fields_set}
        return validated(type(self), {**fields, **update}, where="model_copy")


M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], data: Any, where: str = "") -> M:
    """``model`` validated from ``data``, every problem raised as :class:`InputError`.

    Examples
    --------
    >>> from finmodel.inputs.models.scenario import TimelineSpec
    >>> validated(TimelineSpec, {"start": "2026-01-01", "years": 0}, "ex")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    finmodel.exceptions.InputError: ex: years: Input should be greater than or equal to 1 (got 0)
    """
    try:
        return model.model_validate(data)
    except InputError as e:  # problems across fields (Inconsistent)
        e.file = e.file or where or None
        raise
    except ValidationError as e:
        errors = e.errors(include_url=False)
        err = errors[0]
        loc = clean_loc(tuple(err["loc"]))
        suffix = also([f"{_dotted(clean_loc(tuple(x['loc'])))}: {explain(x)}" for x in errors[1:]])
        field = ".".join(str(p) for p in loc) or None
        raise InputError(explain(err) + suffix, file=where or None, field=field) from None


def _dotted(loc: tuple) -> str:
    return ".".join(str(p) for p in loc)


def clean_loc(loc: tuple) -> tuple[str | int, ...]:
    """A pydantic error's location as a key path: without the union-branch tags pydantic
    puts in it (``str``, ``dict[str,...]``, ``function-after[...]``).

    Examples
    --------
    >>> clean_loc(("vehicles", "x", "waterfall", "capital_to", "dict[str,...]", "us"))
    ('vehicles', 'x', 'waterfall', 'capital_to', 'us')
    """
    tags = re.compile(
        r"^(str|int|float|bool|list|tuple|dict|none|constrained-str|literal|function-)\b|\["
    )
    return tuple(p for p in loc if isinstance(p, int) or not tags.match(p))


def explain(err: Mapping[str, Any]) -> str:
    """A pydantic error as a message: what is wrong, with a short echo of the value."""
    kind, msg = err["type"], err["msg"]
    got = err.get("input")
    if kind == "extra_forbidden":
        return "unknown key (check the spelling; `finmodel schema` lists the keys)"
    if kind == "missing":
        return "is required but missing"
    if kind == "value_error":  # our own validators' messages: they say what they found
        return msg.removeprefix("Value error, ")
    if isinstance(got, (dict, list, tuple, BaseModel)):
        return msg
    if isinstance(got, dt.date):
        return f"{msg} (got {got.isoformat()})"
    return f"{msg} (got {shown(got)})"


def exactly_one(model: BaseModel, a: str, b: str) -> None:
    if (getattr(model, a) is None) == (getattr(model, b) is None):
        na, nb = (type(model).model_fields[n].alias or n for n in (a, b))
        raise ValueError(f"give exactly one of '{na}' and '{nb}'")


class Source(Model):
    """Where a figure comes from."""

    title: str = Field(min_length=1)
    publisher: str = Field(min_length=1)
    date: dt.date
    url: str = Field(pattern=r"^https?://\S+$")
    note: str | None = None


class Reading(Model):
    """A named reading of the plan's text: what is assumed and why."""

    statement: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    source: Source | None = None




























Price = Annotated[float, Field(strict=True, ge=0.0, lt=1e5, allow_inf_nan=False)]
#: A value per party (a share, a price): a read-only table of at most MAX_PARTIES entries.
PartyShares = Annotated[
    dict[str, Share], Field(max_length=limits.MAX_PARTIES), AfterValidator(ReadOnlyDict)
]
PartyPrices = Annotated[
    dict[str, Price], Field(max_length=limits.MAX_PARTIES), AfterValidator(ReadOnlyDict)
]






















# ---------------------------------------------------------------------------------------------
# Checks that span fields. Each problem is (key path, message); the loader adds file and line.

Problem = tuple[tuple[str | int, ...], str]
