"""Data-health items about quantity units as sentences (the case factor: :mod:`kam_core.db.case_factor`;
the items: :func:`kam_core.queries.volume_health.fetch_volume_health`)."""

from __future__ import annotations

from kam_core.i18n import t

HEALTH_CODES = ("no_pack_size", "odd_unit")


def describe_volume_item(item: dict, lang: str = "zh") -> str:
    """One item of :func:`~kam_core.queries.volume_health.fetch_volume_health` as a sentence in ``lang`` (zh or en).

    Examples
    --------
    >>> describe_volume_item({"code": "no_pack_size", "products": 2, "share": 0.9875}, "en")
    '2 products (98.8% of quantity) have no pack size: raw quantity used as cases.'
    """
    code = item.get("code")
    if code == "no_pack_size":
        return t("volume.health.no_pack_size", lang, products=int(item["products"]), share=f"{item['share']:.1%}")
    key = "volume.health.odd_unit_name" if item.get("reason") == "name" else "volume.health.odd_unit_size"
    ratio = item.get("ratio")
    return t(
        key,
        lang,
        sku=item.get("sku", ""),
        name=item.get("name", ""),
        share=f"{item.get('share', 0.0):.1%}",
        ratio="–" if ratio is None else f"{ratio:g}",
    )
