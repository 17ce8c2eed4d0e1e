"""Read and merge the TOML catalogue files; duplicate keys and half-translated entries are errors."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"
LANGS = ("zh", "en")


def _flatten(table: dict, prefix: str, source: str, out: dict[str, dict[str, str | None]]) -> None:
    """Collect leaves (tables whose keys are languages) under their dotted path."""
    if set(table) & set(LANGS):
        extra = set(table) - set(LANGS)
        if extra:
            raise ValueError(f"{source}: entry {prefix!r} mixes languages with sub-keys {sorted(extra)}")
        out[prefix] = {lang: table.get(lang) for lang in LANGS}
        return
    for key, value in table.items():
        path = f"{prefix}.{key}" if prefix else key
        if not isinstance(value, dict):
            raise ValueError(f"{source}: {path!r} must be a table with zh and en, got {type(value).__name__}")
        _flatten(value, path, source, out)


def read_catalog_files(directory: Path = CATALOG_DIR) -> dict[str, tuple[str, dict[str, str | None]]]:
    """Key → (file name, {lang: text}) over every ``*.toml`` file in ``directory``.

    Raises
    ------
    ValueError
        If a key is defined in two files, or an entry is not a table of language strings.
    """
    merged: dict[str, tuple[str, dict[str, str | None]]] = {}
    for path in sorted(directory.glob("*.toml")):
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        entries: dict[str, dict[str, str | None]] = {}
        _flatten(data, "", path.name, entries)
        for key, texts in entries.items():
            if key in merged:
                raise ValueError(f"Duplicate i18n key {key!r} in {path.name} (already in {merged[key][0]})")
            merged[key] = (path.name, texts)
    return merged


@lru_cache(maxsize=4)
def load_catalog(directory: Path = CATALOG_DIR) -> dict[str, dict[str, str]]:
    """The merged catalogue: key → {"zh": ..., "en": ...}.

    Raises
    ------
    ValueError
        On a duplicate key, or an entry missing a language.
    """
    catalog = {}
    for key, (source, texts) in read_catalog_files(directory).items():
        for lang in LANGS:
            if not isinstance(texts.get(lang), str):
                raise ValueError(f"{source}: i18n key {key!r} has no {lang} text")
        catalog[key] = {lang: str(texts[lang]) for lang in LANGS}
    return catalog
