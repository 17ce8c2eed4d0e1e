"""The vocabulary is defined once (kam_core/vocab.py): no other module spells a copy of its tuples or colours."""

import ast
from pathlib import Path

import pytest

from kam_core import vocab
from kam_core.i18n import load_catalog

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    p
    for p in [*ROOT.joinpath("kam_core").rglob("*.py"), *ROOT.joinpath("kam_ui").rglob("*.py"), ROOT / "app.py"]
    + sorted(ROOT.joinpath("pages").glob("*.py"))
    if p.name != "vocab.py" and "migrations" not in p.parts
)
SETS = {name: frozenset(codes) for name, codes in vocab.ENUMERATIONS.items()}


def _strings(node: ast.AST) -> list[str] | None:
    """The elements of a tuple/list/set literal made only of string constants, else None."""
    if not isinstance(node, ast.Tuple | ast.List | ast.Set) or not node.elts:
        return None
    if all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
        return [e.value for e in node.elts]
    return None


def _copies(path: Path) -> list[str]:
    """Literals in one file that repeat a vocabulary: a tuple of the same codes (any order), or a dict keyed
    by all the codes of one enumeration whose values are colours."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        codes = _strings(node)
        if codes is not None and len(codes) >= 3:
            found += [
                f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name}:{node.lineno} {name}"
                for name, s in SETS.items()
                if frozenset(codes) == s
            ]
        if isinstance(node, ast.Dict) and node.keys and all(isinstance(k, ast.Constant) for k in node.keys):
            keys = frozenset(k.value for k in node.keys)
            colours = all(isinstance(v, ast.Constant) and str(v.value).startswith("#") for v in node.values)
            found += [
                f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name}:{node.lineno} {n} colours"
                for n, s in SETS.items()
                if keys == s and colours
            ]
    return found


def test_the_source_scan_finds_a_planted_copy(tmp_path):
    planted = tmp_path / "copy.py"
    planted.write_text('TIERS = ("lead", "iron", "gold", "platinum")\nC = {"A": "#fff", "B": "#000", "C": "#111"}\n')
    assert _copies(planted) == ["copy.py:1 pyramid_tier", "copy.py:2 abc_class colours"]


def test_no_module_outside_vocab_defines_the_vocabulary_again():
    assert len(SOURCES) > 100  # the scan really read the tree
    copies = [c for p in SOURCES for c in _copies(p)]
    assert copies == []


@pytest.mark.parametrize("kind", ["channel", "value_type", "pyramid_tier", "size_tier", "abc_class", "feature"])
def test_every_code_has_a_label_in_both_languages(kind):
    catalog = load_catalog()
    for code in vocab.ENUMERATIONS[kind]:
        entry = catalog.get(f"{kind}.{code}")
        assert entry and entry["zh"] and entry["en"], f"{kind}.{code}"


@pytest.mark.parametrize(
    "colours, codes",
    [
        (vocab.PYRAMID_COLORS, vocab.PYRAMID_TIERS),
        (vocab.SIZE_COLORS, vocab.SIZE_TIERS),
        (vocab.VALUE_TYPE_COLORS, vocab.VALUE_TYPES),
        (vocab.ABC_COLORS, vocab.ABC_CLASSES),
    ],
    ids=["pyramid", "size", "value_type", "abc"],
)
def test_each_code_has_its_own_colour(colours, codes):
    assert tuple(colours) == codes
    assert len(set(colours.values())) == len(codes)
