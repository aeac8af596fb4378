"""UN/ECE Recommendation 20 unit codes for the GS1 trade and logistic measure AIs."""

from __future__ import annotations

# Keyed by the first three digits of the AI (the fourth is the decimal places). The
# dictionary titles name the unit ("NET WEIGHT (kg)", "LENGTH (ft)"); these are their
# Rec 20 codes. "log" AIs (33n-34n, 353-355, 362-363, 367-369) measure the logistic unit.
UNITS: dict[str, str] = {
    "310": "KGM", "311": "MTR", "312": "MTR", "313": "MTR", "314": "MTK", "315": "LTR",
    "316": "MTQ", "320": "LBR", "321": "INH", "322": "FOT", "323": "YRD", "324": "INH",
    "325": "FOT", "326": "YRD", "327": "INH", "328": "FOT", "329": "YRD", "330": "KGM",
    "331": "MTR", "332": "MTR", "333": "MTR", "334": "MTK", "335": "LTR", "336": "MTQ",
    "337": "28", "340": "LBR", "341": "INH", "342": "FOT", "343": "YRD", "344": "INH",
    "345": "FOT", "346": "YRD", "347": "INH", "348": "FOT", "349": "YRD", "350": "INK",
    "351": "FTK", "352": "YDK", "353": "INK", "354": "FTK", "355": "YDK", "356": "APZ",
    "357": "OZA", "360": "QTL", "361": "GLL", "362": "QTL", "363": "GLL", "364": "INQ",
    "365": "FTQ", "366": "YDQ", "367": "INQ", "368": "FTQ", "369": "YDQ",
}  # fmt: skip
