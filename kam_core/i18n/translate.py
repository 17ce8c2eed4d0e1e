"""Look up a catalogue string in a language and fill its placeholders."""

from __future__ import annotations

from kam_core.i18n.catalog_loader import LANGS, load_catalog


def t(key: str, lang: str = "zh", **fmt: object) -> str:
    """The text for ``key`` in ``lang`` with ``{placeholders}`` filled from ``fmt``.

    Raises
    ------
    KeyError
        If ``key`` is not in the catalogue (a typo is a bug; the page tests catch it).
    ValueError
        If ``lang`` is not zh or en.

    Examples
    --------
    >>> t("channel.KA", "en")
    'KA hypermarkets'
    """
    if lang not in LANGS:
        raise ValueError(f"Unknown language {lang!r}: expected one of {', '.join(LANGS)}")
    text = load_catalog()[key][lang]
    return text.format(**fmt) if fmt else text


def label(kind: str, code: object, lang: str = "zh") -> str:
    """The display name of a code (``label("channel", "KA", "en")``); unknown codes show as themselves.

    Imported data can carry codes the catalogue does not know (a new channel); those are shown raw
    rather than failing the page.
    """
    if code is None or (isinstance(code, float) and code != code):
        return t("common.none", lang)
    entry = load_catalog().get(f"{kind}.{code}")
    return entry[lang] if entry else str(code)


def local_names(frame, lang: str = "zh"):
    """A frame's account ``name`` column in ``lang``: in English ``name_en`` where present, else the Chinese name.

    ``frame`` is a pandas DataFrame with ``name`` (and optionally ``name_en``); returns a Series.
    """
    names = frame["name"]
    if lang != "en" or "name_en" not in frame:
        return names
    english = frame["name_en"]
    return english.where(english.notna() & (english.astype(str).str.strip() != ""), names)
