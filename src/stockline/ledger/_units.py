"""Units of measure: UN/ECE Recommendation 20 codes and how finely each may be counted."""

from __future__ import annotations

from types import MappingProxyType

__all__ = ["UNITS", "default_decimals"]

#: Common UN/ECE Rec 20 codes with the number of decimals stockline allows by default.
#: Counted units are whole; measured units allow three decimals (grams of a kilogram). Any
#: other valid Rec 20 code may be used by giving the item its ``decimals`` explicitly.
UNITS: MappingProxyType[str, tuple[str, int]] = MappingProxyType(
    {
        "EA": ("each", 0),
        "C62": ("one", 0),
        "H87": ("piece", 0),
        "XCS": ("case", 0),
        "XBX": ("box", 0),
        "XPK": ("pack", 0),
        "XPX": ("pallet", 0),
        "PR": ("pair", 0),
        "SET": ("set", 0),
        "DZN": ("dozen", 0),
        "KGM": ("kilogram", 3),
        "GRM": ("gram", 3),
        "TNE": ("tonne", 3),
        "LBR": ("pound", 3),
        "LTR": ("litre", 3),
        "MLT": ("millilitre", 3),
        "MTQ": ("cubic metre", 3),
        "MTR": ("metre", 3),
        "CMT": ("centimetre", 3),
        "MTK": ("square metre", 3),
    }
)


def default_decimals(unit: str) -> int | None:
    """Return the default precision of a known unit code, or ``None`` for an unknown code."""
    known = UNITS.get(unit)
    return None if known is None else known[1]
