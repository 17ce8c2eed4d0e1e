"""The shared dashboard filters as a value, and the URL query codec (docs/DESIGN.md §5).

The parameter names ``start, end, region, channel, rep, type, tier, lang`` are a public contract:
people send links with them. Decoding never raises, whatever arrives in the URL; a malformed or
unknown parameter is dropped with a :class:`Notice` naming it. Filters only ever narrow the rows
the viewer's scope already allows (scope is applied in the data access, never from the URL).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import pandas as pd

from kam_core.vocab import CHANNELS, PYRAMID_TIERS, VALUE_TYPES

PARAMS = ("start", "end", "region", "channel", "rep", "type", "tier", "lang")
LIST_PARAMS = ("region", "channel", "rep", "type", "tier")
PAGE_PARAMS = ("account", "scenario")  # bound and validated on their own pages (docs/DESIGN.md §5), not filters
LANGS = ("zh", "en")
ACCOUNT_ID_MAX = 32  # account.account_id is String(32)
_MAX_VALUES = 200  # a link with more selections than this is not a view anyone shares
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MIN_DATE, _MAX_DATE = dt.date(1990, 1, 1), dt.date(2200, 12, 31)
_FIXED_CHOICES = {"channel": CHANNELS, "type": VALUE_TYPES, "tier": PYRAMID_TIERS}


@dataclass(frozen=True)
class Notice:
    """Why a URL parameter was dropped; ``reason`` is an i18n key suffix (``notice.<reason>``)."""

    param: str
    value: str
    reason: str


@dataclass(frozen=True)
class KnownValues:
    """The codes that exist in the viewer's data; unknown codes in a link are dropped with a notice."""

    region: frozenset[str] = frozenset()
    rep: frozenset[str] = frozenset()
    channel: frozenset[str] = frozenset(CHANNELS)


def _is_code(value: object) -> bool:
    return isinstance(value, str) and _CODE.fullmatch(value) is not None


@dataclass(frozen=True)
class Filters:
    """Period, region/channel/rep/value-type/pyramid-tier selections and the language.

    Empty selections mean "everything in scope". Tuples are sorted and de-duplicated, so equal
    selections give equal (hashable) values, which makes a Filters a good cache key.

    Raises
    ------
    ValueError
        If a field holds a value of the wrong type or outside its allowed set, or start > end.
    """

    start: dt.date | None = None
    end: dt.date | None = None
    region: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()
    rep: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    tier: tuple[str, ...] = ()
    lang: str = "zh"

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
                raise ValueError(f"Filters.{name} must be a date or None, got {value!r}")
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"Filters.start {self.start} is after Filters.end {self.end}")
        for name in LIST_PARAMS:
            values = getattr(self, name)
            if isinstance(values, str) or not isinstance(values, Iterable):
                raise ValueError(f"Filters.{name} must be a sequence of strings, got {values!r}")
            values = tuple(sorted(set(values)))
            for v in values:
                if not _is_code(v):
                    raise ValueError(f"Filters.{name} holds an invalid code {v!r}")
                if name in _FIXED_CHOICES and v not in _FIXED_CHOICES[name]:
                    raise ValueError(f"Filters.{name} value {v!r} is not one of {', '.join(_FIXED_CHOICES[name])}")
            object.__setattr__(self, name, values)
        if self.lang not in LANGS:
            raise ValueError(f"Filters.lang must be one of {LANGS}, got {self.lang!r}")

    def with_lang(self, lang: str) -> Filters:
        """The same filters in another language."""
        return replace(self, lang=lang)

    @property
    def selections(self) -> dict[str, tuple[str, ...]]:
        """The list-valued selections by parameter name."""
        return {name: getattr(self, name) for name in LIST_PARAMS}

    def to_query(self) -> dict[str, list[str]]:
        """Encode as URL query parameters (only what differs from "everything"; ``lang`` always).

        Examples
        --------
        >>> Filters(channel=("KA", "DIST"), lang="en").to_query()
        {'channel': ['DIST', 'KA'], 'lang': ['en']}
        """
        out: dict[str, list[str]] = {}
        if self.start:
            out["start"] = [self.start.isoformat()]
        if self.end:
            out["end"] = [self.end.isoformat()]
        for name, values in self.selections.items():
            if values:
                out[name] = list(values)
        out["lang"] = [self.lang]
        return out

    @classmethod
    def from_query(
        cls, params: Mapping[str, object], known: KnownValues | None = None, default_lang: str = "zh"
    ) -> tuple[Filters, list[Notice]]:
        """Decode URL query parameters; never raises, drops what is bad with a notice.

        Parameters
        ----------
        params
            Parameter name → a string or a list of strings (repeated keys), as a URL gives them.
        known
            Codes that exist; region and rep codes not in it are dropped. None accepts any
            well-formed code.
        default_lang
            Language when ``lang`` is absent or invalid.

        Returns
        -------
        tuple[Filters, list[Notice]]
            The filters and one notice per dropped parameter value.
        """
        notices: list[Notice] = []
        values: dict[str, object] = {}
        try:
            items = list(params.items())
        except Exception:  # noqa: BLE001 - a hostile mapping must not take the page down
            return cls(lang=default_lang if default_lang in LANGS else "zh"), [Notice("?", "", "bad_value")]
        for raw_key, raw in items:
            key = raw_key if isinstance(raw_key, str) else repr(raw_key)
            if key in PAGE_PARAMS:
                continue
            if key not in PARAMS:
                notices.append(Notice(_clip(key), _clip(_first_text(raw)), "unknown_param"))
                continue
            texts = _as_texts(raw, key, notices)
            if key in LIST_PARAMS:
                values[key] = _decode_codes(key, texts, known, notices)
            elif key == "lang":
                values[key] = _decode_choice(key, texts, LANGS, notices)
            else:
                values[key] = _decode_date(key, texts, notices)
        return _assemble(cls, values, notices, default_lang), notices


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _first_text(raw: object) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, list | tuple) and raw and isinstance(raw[0], str):
        return raw[0]
    return ""


def _as_texts(raw: object, key: str, notices: list[Notice]) -> list[str]:
    """Normalise one parameter's raw value to a list of strings, noting anything that is not text."""
    items = [raw] if isinstance(raw, str) else (list(raw) if isinstance(raw, list | tuple) else [raw])
    texts = []
    for item in items:
        if isinstance(item, str):
            texts.append(item)
        else:
            shown = "nan" if isinstance(item, float) and math.isnan(item) else repr(item)
            notices.append(Notice(key, _clip(shown), "bad_value"))
    return texts


def _decode_codes(key: str, texts: list[str], known: KnownValues | None, notices: list[Notice]) -> tuple[str, ...]:
    allowed = _FIXED_CHOICES.get(key)
    if known is not None and key in ("region", "rep", "channel"):
        allowed = getattr(known, key)
    kept: list[str] = []
    for text in texts:
        value = text.strip()
        if value == "":
            continue  # ``?region=`` clears the selection, as Streamlit's bound widgets do
        if not _is_code(value):
            notices.append(Notice(key, _clip(value), "bad_value"))
        elif allowed is not None and value not in allowed:
            notices.append(Notice(key, _clip(value), "unknown_value"))
        elif value in kept:
            continue  # the same code twice selects it once; nothing is lost, nothing to say
        elif len(kept) >= _MAX_VALUES:
            notices.append(Notice(key, _clip(value), "too_many"))
        else:
            kept.append(value)
    return tuple(kept)


def _decode_single(key: str, texts: list[str], parse, bad: str, notices: list[Notice], *, quiet_empty: bool):
    """The first value ``parse`` accepts; a notice for each rejected (``bad``) or different repeated value."""
    chosen = None
    for text in texts:
        value = text.strip()
        parsed = parse(value)
        if parsed is None:
            if value or not quiet_empty:
                notices.append(Notice(key, _clip(value), bad))
        elif chosen is None:
            chosen = parsed
        elif parsed != chosen:
            notices.append(Notice(key, _clip(value), "repeated"))
    return chosen


def _decode_choice(key: str, texts: list[str], choices: tuple[str, ...], notices: list[Notice]) -> str | None:
    # ``?lang=`` means the default, as an empty date does. Of repeated values the LAST valid one is used: that
    # is the one Streamlit's bound language radio takes, so the notice names the value really ignored
    # (its bound date inputs take the first, as _decode_date does).
    return _decode_single(
        key, texts[::-1], lambda v: v if v in choices else None, "bad_value", notices, quiet_empty=True
    )


def _parse_link_date(value: str) -> dt.date | None:
    """An ISO date within the supported range, else None."""
    if not _ISO_DATE.fullmatch(value):
        return None
    try:
        parsed = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return parsed if _MIN_DATE <= parsed <= _MAX_DATE else None


def _decode_date(key: str, texts: list[str], notices: list[Notice]) -> dt.date | None:
    return _decode_single(key, texts, _parse_link_date, "bad_date", notices, quiet_empty=True)


def _assemble(cls, values: dict[str, object], notices: list[Notice], default_lang: str) -> Filters:
    start, end = values.get("start"), values.get("end")
    if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
        notices.append(Notice("start", f"{start.isoformat()}>{end.isoformat()}", "start_after_end"))
        values["start"] = values["end"] = None
    if values.get("lang") is None:
        values["lang"] = default_lang if default_lang in LANGS else "zh"
    return cls(**{k: v for k, v in values.items() if v is not None})


def decode_account_param(raw: object) -> tuple[str | None, list[Notice]]:
    """The account id of ``?account=`` (the card page's own parameter); never raises.

    An id is at most :data:`ACCOUNT_ID_MAX` characters without control or invisible format characters
    (what the id box and the schema take); a longer or garbled value is dropped with a ``bad_value``
    notice rather than cut to an id that might be another account. Of repeated values the first
    well-formed one is used, each different other one gets a ``repeated`` notice. Surrounding
    whitespace is ignored; an empty value means no account.

    Examples
    --------
    >>> decode_account_param(["A001", "A002"])
    ('A001', [Notice(param='account', value='A002', reason='repeated')])
    >>> decode_account_param("A" * 40)[0] is None
    True
    """
    notices: list[Notice] = []
    chosen = None
    for text in _as_texts(raw, "account", notices) if raw is not None else []:
        value = text.strip()
        if not value:
            continue
        if len(value) > ACCOUNT_ID_MAX or any(unicodedata.category(c)[0] == "C" for c in value):
            notices.append(Notice("account", _clip(value), "bad_value"))
        elif chosen is None:
            chosen = value
        elif value != chosen:
            notices.append(Notice("account", _clip(value), "repeated"))
    return chosen, notices


def apply_filters(scorecard: pd.DataFrame, filters: Filters, region_paths: Mapping[str, str]) -> pd.DataFrame:
    """Keep the scorecard rows that match the filters (the cheap post-filter after the cached load).

    Parameters
    ----------
    scorecard
        One row per account with at least ``region, channel, rep, value_type, pyramid_tier``.
    filters
        The selections; the period is not applied here (it drives the scorecard window).
    region_paths
        Region code → hierarchy path like ``R01/R01A02``. A selected region at any level keeps every
        account whose own region lies at or below it (the account's path is the scorecard's
        ``region_path`` column when present, else ``region_paths[region]``).

    Returns
    -------
    pandas.DataFrame
        A new frame, a subset of ``scorecard`` rows in the same order; the input is not mutated.
    """
    missing = [c for c in ("region", "channel", "rep", "value_type", "pyramid_tier") if c not in scorecard.columns]
    if missing:
        raise ValueError(f"Required column {missing[0]} missing from the scorecard")
    mask = pd.Series(True, index=scorecard.index)
    for param, column in (("channel", "channel"), ("rep", "rep"), ("type", "value_type"), ("tier", "pyramid_tier")):
        chosen = getattr(filters, param)
        if chosen:
            mask &= scorecard[column].isin(chosen)
    if filters.region:
        prefixes = [region_paths[r] for r in filters.region if r in region_paths]
        if "region_path" in scorecard.columns:  # the scorecard carries each account's own path
            paths = scorecard["region_path"].fillna("").astype(str)
        else:
            paths = scorecard["region"].map(lambda r: region_paths.get(r, "") if isinstance(r, str) else "")
        inside = pd.Series(False, index=scorecard.index)
        for prefix in prefixes:
            inside |= (paths == prefix) | paths.str.startswith(prefix + "/")
        mask &= inside
    return scorecard.loc[mask].copy()
