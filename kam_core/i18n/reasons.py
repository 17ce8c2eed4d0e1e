"""Every reason the analytics give, written in one place: structured items in, sentences out, zh or en.

The analytics produce items (a code and the numbers behind it) and never sentences of their own:

- value-type reasons (``value_type_reason_items``, docs/METHODS.md §1.2 step 5):
  ``{"feature": "promo_share", "percentile": 91.2, "z": 1.38, "delta": 2.0, "toward": "intrinsic",
  "imputed": False}``;
- loyalty / high-volume-low-loyalty reasons (``hvll_reason_items``, §4.2):
  ``{"component": "sow", "value": 0.3, "percentile": 10.0, "channel": "KA"}``;
- diversion evidence (``diversion_evidence_items``, §4.3): ``{"signal": "S7", "share": 0.5}``.

The templates are catalogue entries (``reasons.*``, ``analytics.loyalty.*``, ``analytics.diversion.*``), so a
sentence reads the same on a page, in the review pack and in the CLI. The scorecard's text columns
(``value_type_reasons``, ``loyalty_reasons``, ``hvll_reasons``, ``diversion_evidence``) are these sentences in
English; the value-type ones name features, types and channel tiers by their codes (the CLI's words, as in
METHODS §1.2), readers get catalogue labels. :func:`localise_reasons` rewrites a frame's text columns in the
reader's language from its item columns. The writers used on every account (100,000 in the benchmark) work on
flat arrays and format each distinct value once.
"""

from __future__ import annotations

import string

import numpy as np
import pandas as pd

from kam_core.i18n.translate import label, t
from kam_core.vocab import DIVERSION_SIGNALS, LOYALTY_COMPONENTS, SHARE_COMPONENTS

# --- shared helpers ---------------------------------------------------------------------------------------------


def _format_rows(template: str, **columns: list[str]) -> list[str]:
    """``template.format(**row)`` for every row of the string columns.

    A template of plain ``{name}`` fields runs as one %-format per row, about 3× faster than ``str.format``
    with keywords; anything else (format specs, conversions) goes through ``str.format``.
    """
    pattern, names = [], []
    for literal, field, spec, conversion in string.Formatter().parse(template):
        pattern.append(literal.replace("%", "%%"))
        if field is None:
            continue
        if spec or conversion or field not in columns:
            rows = zip(*columns.values(), strict=True)
            return [template.format(**dict(zip(columns, row, strict=True))) for row in rows]
        pattern.append("%s")
        names.append(field)
    text = "".join(pattern)
    return [text % row for row in zip(*(columns[n] for n in names), strict=True)]


_WHOLE = np.array([str(i) for i in range(-999, 1000)], dtype=object)


def _whole_numbers(x: np.ndarray, suffix: str = "") -> np.ndarray:
    """``format(v, ".0f") + suffix`` of each float, as an object array.

    np.rint rounds as Python's formatting does (to nearest, ties to even, on the exact double), and like
    Python a value rounding to zero from below is written "-0"; NaN, ±inf and |v| ≥ 999.5 go through Python.
    """
    r = np.rint(x)
    easy = np.abs(r) < 1000  # False for NaN and ±inf
    out = np.empty(len(x), dtype=object)
    out[easy] = _WHOLE[r[easy].astype(int) + 999]
    out[easy & (r == 0) & np.signbit(r)] = "-0"
    out[~easy] = [format(v, ".0f") for v in x[~easy].tolist()]
    return out + suffix if suffix else out


def _each_distinct(values: np.ndarray, write) -> np.ndarray:
    """``[write(v) for v in values]`` as an object array, ``write`` called once per distinct float (by bits,
    so 0.0 and −0.0 stay apart)."""
    if not len(values):
        return np.empty(0, dtype=object)
    bits, inverse = np.unique(np.ascontiguousarray(values, dtype=float).view(np.int64), return_inverse=True)
    return np.array([write(v) for v in bits.view(float).tolist()], dtype=object)[inverse.ravel()]


def _labels(kind: str, codes, lang: str, as_codes: bool = False) -> np.ndarray:
    """The label of each code (looked up once per distinct code), or the codes themselves."""
    where, distinct = pd.factorize(pd.Series(codes, dtype=object), use_na_sentinel=False)
    names = [str(c) if as_codes else label(kind, c, lang) for c in distinct.tolist()]
    return np.array(names, dtype=object)[where]


# --- value-type reasons (docs/METHODS.md §1.2 step 5) -----------------------------------------------------------


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_ORDINALS = np.array([""] + [_ordinal(i) for i in range(1, 100)], dtype=object)
_PLAIN = np.array([""] + [str(i) for i in range(1, 100)], dtype=object)


def _z_text(z2: np.ndarray) -> list[str]:
    """``f"{z:+.1f}"`` of values already rounded to 2 decimals, formatted once per distinct value."""
    if z2.size == 0:
        return []
    values, inverse = np.unique(z2, return_inverse=True)
    table = np.array([f"{v:+.1f}" for v in values.tolist()], dtype=object)
    return table[inverse.ravel()].tolist()


def value_type_reason_texts(
    features, percentile, z, toward, imputed, channel, lang: str = "en", codes: bool = True
) -> list[str]:
    """Value-type reason sentences of flattened items (one entry per item in every argument).

    Parameters
    ----------
    features, toward : feature codes and the type each item pulls toward.
    percentile : within-tier percentile 0-100 (shown rounded, clipped to 1-99: "0th"/"100th" read oddly);
        ignored for imputed items.
    z : the standardised value, rounded to 2 decimals (shown with one).
    imputed : True where the feature was missing and set to the tier median.
    channel : the channel tier code of each item, or one code for all.
    lang : ``en`` or ``zh``.
    codes : name features, types and tiers by their codes (the scorecard's English column) instead of labels.
    """
    n = len(features)
    miss = np.asarray(imputed, dtype=bool).reshape(n)
    pct = np.nan_to_num(np.asarray(percentile, dtype=float).reshape(n), nan=50.0)
    shown = (_ORDINALS if lang == "en" else _PLAIN)[np.clip(np.rint(pct), 1, 99).astype(int)]
    z2 = np.round(np.asarray(z, dtype=float).reshape(n), 2) + 0.0  # −0.0 would read "-0.0"
    if isinstance(channel, str) or channel is None:  # one tier: its word once
        places = np.full(n, _channel_word(channel, lang, codes), dtype=object)
    else:
        places = _labels("channel", channel, lang, codes)
        places[pd.isna(pd.Series(channel, dtype=object)).to_numpy()] = t("reasons.value_type.its_channel", lang)
    words = {
        "feature": _labels("feature", features, lang, codes),
        "channel": places,
        "z": np.array(_z_text(z2), dtype=object),
        "type": _labels("value_type", toward, lang, codes),
    }
    out = np.empty(n, dtype=object)
    for rows, key, extra in ((~miss, "observed", {"pct": shown}), (miss, "imputed", {})):
        if rows.any():  # each template over its own rows only
            fields = {k: v[rows].tolist() for k, v in (words | extra).items()}
            out[rows] = _format_rows(t(f"reasons.value_type.{key}", lang), **fields)
    return out.tolist()


def _channel_word(channel: str | None, lang: str, codes: bool) -> str:
    if channel is None:  # a frame without its channel tier
        return t("reasons.value_type.its_channel", lang)
    return channel if codes else label("channel", channel, lang)


def _value_type_sentence(item: dict, lang: str, channel: str | None, codes: bool) -> str:
    """One item, written directly (the reference :func:`value_type_reason_texts` is tested against)."""
    word = (lambda kind, code: str(code)) if codes else (lambda kind, code: label(kind, code, lang))  # noqa: E731
    fields = {
        "feature": word("feature", item["feature"]),
        "channel": _channel_word(channel, lang, codes),
        "z": f"{round(float(item.get('z', 0.0)), 2) + 0.0:+.1f}",
        "type": word("value_type", item.get("toward")),
    }
    if item.get("imputed"):
        return t("reasons.value_type.imputed", lang, **fields)
    pct = int(np.clip(np.rint(float(item["percentile"])), 1, 99))
    return t("reasons.value_type.observed", lang, pct=_ordinal(pct) if lang == "en" else str(pct), **fields)


def describe_value_type_reasons(
    items: object, lang: str = "zh", channel: str | None = None, codes: bool = False
) -> list[str]:
    """Value-type reason items (``value_type_reason_items``) of one account of tier ``channel`` as sentences
    in ``lang``, with catalogue labels (``codes``: with feature, type and tier codes, as the scorecard).

    Examples
    --------
    >>> item = {"feature": "promo_share", "percentile": 91.2, "z": 1.38, "toward": "intrinsic", "imputed": False}
    >>> describe_value_type_reasons([item], "en", "KA", codes=True)
    ['promo_share at the 91st percentile of KA accounts (z=+1.4) → intrinsic']
    >>> describe_value_type_reasons([item], "zh", "KA")
    ['促销进货占比位于KA卖场渠道内第91百分位（z=+1.4）→ 内在价值型（看价格）']
    """
    if not isinstance(items, list | tuple):
        return []
    return [_value_type_sentence(i, lang, channel, codes) for i in items if isinstance(i, dict) and "feature" in i]


# --- loyalty and high-volume-low-loyalty reasons (docs/METHODS.md §4.1-4.2) -------------------------------------


def _value_writer(lang: str):
    """``shown(component, value)``: a component's value as the reasons write it in ``lang``."""
    years = t("analytics.loyalty.years", lang).format

    def shown(component: str, value: float) -> str:
        if value != value:
            return "–"
        if component in SHARE_COMPONENTS:
            return f"{value:.0%}"
        return years(value=f"{value:.1f}") if component == "tenure_years" else f"{value:.1f}"

    return shown


def loyalty_reason_texts(
    comp: np.ndarray, value: np.ndarray, pct: np.ndarray, channel: np.ndarray, lang: str = "en"
) -> list[str]:
    """Loyalty reason sentences of flattened items: ``comp`` indexes :data:`kam_core.vocab.LOYALTY_COMPONENTS`;
    ``value``, ``pct`` (0-100) and ``channel`` (tier codes) are the items' numbers. Shares and percentiles are
    rounded with numpy, other values formatted once per distinct value."""
    shown = _value_writer(lang)
    words = np.array([t(f"analytics.loyalty.component.{c}", lang) for c in LOYALTY_COMPONENTS], dtype=object)
    value = np.asarray(value, dtype=float)
    values = np.empty(len(comp), dtype=object)
    for j, c in enumerate(LOYALTY_COMPONENTS):
        at = comp == j
        if c in SHARE_COMPONENTS:  # shown(): f"{v:.0%}", which is format(v * 100, ".0f") + "%"
            values[at] = np.where(np.isnan(value[at]), shown(c, np.nan), _whole_numbers(value[at] * 100, "%"))
        else:
            values[at] = _each_distinct(value[at], lambda v, c=c: shown(c, v))
    return _format_rows(
        t("analytics.loyalty.reason", lang),
        component=words[comp].tolist(),
        value=values.tolist(),
        pct=_whole_numbers(np.asarray(pct, dtype=float)).tolist(),
        channel=_labels("channel", channel, lang).tolist(),
    )


def _renderer(lang: str):
    """``render(component, value, percentile, channel)`` in ``lang``; templates and labels looked up once
    (one item at a time: the reference :func:`loyalty_reason_texts` is tested against)."""
    template = t("analytics.loyalty.reason", lang).format
    shown = _value_writer(lang)
    words = {c: t(f"analytics.loyalty.component.{c}", lang) for c in LOYALTY_COMPONENTS}
    channels: dict[str, str] = {}

    def render(component: str, value: float, pct: float, channel: str) -> str:
        where = channels.get(channel)
        if where is None:
            where = channels[channel] = label("channel", channel, lang)
        return template(
            component=words.get(component, component), value=shown(component, value), pct=f"{pct:.0f}", channel=where
        )

    return render


def describe_loyalty_reasons(items: object, lang: str = "zh") -> list[str]:
    """Loyalty / HVLL reason items (``hvll_reason_items``) as sentences in ``lang`` (zh or en).

    Examples
    --------
    >>> describe_loyalty_reasons([{"component": "sow", "value": 0.3, "percentile": 10.0, "channel": "KA"}], "en")
    ['share of wallet 30% (percentile 10 in KA hypermarkets)']
    """
    if not isinstance(items, list | tuple):
        return []
    render = _renderer(lang)
    return [
        render(i["component"], float(i["value"]), float(i["percentile"]), i["channel"])
        for i in items
        if isinstance(i, dict)
    ]


# --- diversion evidence (docs/METHODS.md §4.3) ------------------------------------------------------------------

# how each number of an evidence item is written (anything else: a whole number)
_FORMATS = {"ratio": "{:.1f}", "in_out": "{:.2f}", "share": "{:.0%}", "growth": "{:+.0%}", "outlets": "{:+.0%}"}


def describe_evidence(items: object, lang: str = "zh") -> list[str]:
    """Diversion evidence items (``diversion_evidence_items``) as sentences in ``lang`` (zh or en).

    Examples
    --------
    >>> describe_evidence([{"signal": "S7", "share": 0.5}], "en")
    ['S7 50% of orders shipped outside the authorised territory']
    """
    if not isinstance(items, list | tuple):
        return []
    templates = {s: t(f"analytics.diversion.{s}", lang) for s in DIVERSION_SIGNALS}
    out = []
    for item in items:
        if not isinstance(item, dict) or item.get("signal") not in templates:
            continue
        fields = {k: _FORMATS[k].format(v) if k in _FORMATS else f"{int(v)}" for k, v in item.items() if k != "signal"}
        out.append(templates[item["signal"]].format(**fields))
    return out


# --- a frame's reasons in the reader's language -----------------------------------------------------------------

# text column ← item column, and how an account's items become its sentences
_COLUMNS = (
    ("hvll_reasons", "hvll_reason_items", lambda items, lang, _: describe_loyalty_reasons(items, lang)),
    ("diversion_evidence", "diversion_evidence_items", lambda items, lang, _: describe_evidence(items, lang)),
    ("value_type_reasons", "value_type_reason_items", describe_value_type_reasons),
)


def localise_reasons(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A copy whose reason columns (``value_type_reasons``, ``hvll_reasons``, ``diversion_evidence``) are
    written in ``lang`` from their item columns, with labels, never codes. A frame without an item column keeps
    that text as it is.

    Parameters
    ----------
    frame : scorecard rows; ``channel`` (when present) names the tier in the value-type reasons.
    lang : ``zh`` or ``en``.
    """
    out = frame.copy()
    channels = out["channel"].tolist() if "channel" in out else [None] * len(out)
    for text, items, describe in _COLUMNS:
        if items in out:
            out[text] = [describe(i, lang, ch) for i, ch in zip(out[items].tolist(), channels, strict=True)]
    return out
