"""Master data look-ups and corrections (``inv.master``), and the checks adding it shares."""

from stockline.master._data import MasterData, check_gtins_free, gtin14, packs

__all__ = ["MasterData", "check_gtins_free", "gtin14", "packs"]
