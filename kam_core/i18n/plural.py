"""Count texts that agree with their number: "1 account", "2 accounts" (Babel's CLDR plural rules).

Catalogue convention for a text that holds a count: one entry per CLDR plural category under the
text's key, ``KEY.one`` and ``KEY.other`` (the two English uses), each with ``zh`` and ``en``::

    [count.accounts]
    one = { zh = "{n} 个客户", en = "{n} account" }
    other = { zh = "{n} 个客户", en = "{n} accounts" }

:func:`tn` picks the entry by Babel's plural form of ``n`` in the language (``Locale.plural_form``),
falling back to ``KEY.other``. Chinese has no plural (its only category is ``other``), so its ``one``
text is the same as its ``other`` text; a test holds every plural entry to that.
"""

from __future__ import annotations

from kam_core.i18n.catalog_loader import LANGS, load_catalog
from kam_core.i18n.formatting import format_count, plural_form

FALLBACK_FORM = "other"


def plural_key(key: str, n: float | int, lang: str = "zh") -> str:
    """The catalogue key of the plural variant of ``key`` for ``n`` in ``lang`` (``KEY.one`` / ``KEY.other``).

    Raises
    ------
    KeyError
        If the catalogue has neither the variant nor ``KEY.other``.
    """
    catalog = load_catalog()
    variant = f"{key}.{plural_form(n, lang)}"
    if variant in catalog:
        return variant
    if f"{key}.{FALLBACK_FORM}" in catalog:
        return f"{key}.{FALLBACK_FORM}"
    raise KeyError(f"{key}.{FALLBACK_FORM}")


def tn(key: str, n: float | int, /, lang: str = "zh", **fmt: object) -> str:
    """The count text ``key`` for ``n`` in ``lang``, ``{n}`` filled with the count as Babel writes it.

    Pass ``n=...`` in ``fmt`` to show the count another way (``"12.3K"``) while the positional ``n`` still
    picks the form (``key`` and ``n`` are positional-only for that reason).

    Raises
    ------
    KeyError
        If ``key`` has no plural entries.
    ValueError
        If ``lang`` is not zh or en.

    Examples
    --------
    >>> tn("count.accounts", 1, "en"), tn("count.accounts", 12_345, "en"), tn("count.accounts", 1, "zh")
    ('1 account', '12,345 accounts', '1 个客户')
    """
    if lang not in LANGS:
        raise ValueError(f"Unknown language {lang!r}: expected one of {', '.join(LANGS)}")
    fmt.setdefault("n", format_count(n, lang))
    return load_catalog()[plural_key(key, n, lang)][lang].format(**fmt)
