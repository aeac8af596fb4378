"""The genealogy tests' food chain with the master data an FSMA 204 spreadsheet needs."""

from __future__ import annotations

import stockline as sl
from tests.genealogy.test_food_recall import Chain, food_chain

#: Item master data: GTIN-14 of the traded unit and the product description.
ITEMS = {
    "WHEAT": ("10614141000019", "Wheat flour, type 550, 25 kg sack"),
    "SUGAR": ("10614141000026", "Cane sugar, fine, 25 kg sack"),
    "EGGS": ("10614141000033", "Shell eggs, large, grade A"),
    "DOUGH": (None, "Sponge dough (intermediate)"),
    "CAKE": ("10614141000057", "Sponge cake, 500 g"),
    "CRUMBS": ("10614141000064", "Cake crumbs, bulk"),
}

#: Parties: name, address, phone, GLN.
PARTIES = {
    "MILL": (
        "supplier",
        "Prairie Mill Co.",
        "400 Grain Ave, Salina, KS 67401, US",
        "+1 785 555 0140",
    ),
    "SUGARCO": (
        "supplier",
        "Gulf Sugar Refining",
        "1 Cane St, Gramercy, LA 70052, US",
        "+1 225 555 0110",
    ),
    "FARM": (
        "supplier",
        "Hillside Egg Farm",
        "77 Coop Lane, Lancaster, PA 17601, US",
        "+1 717 555 0177",
    ),
    "SHOP-A": (
        "customer",
        "Corner Grocer Downtown",
        "5 Main St, Springfield, IL 62701, US",
        "+1 217 555 0105",
    ),
    "SHOP-B": (
        "customer",
        "Corner Grocer Westside",
        "90 West Blvd, Springfield, IL 62704, US",
        "+1 217 555 0190",
    ),
    "SHOP-C": (
        "customer",
        "Crumb & Co. Catering",
        "3 Oven Ct, Peoria, IL 61602, US",
        "+1 309 555 0103",
    ),
    "SHOP-D": (
        "customer",
        "Lakeside Cafe",
        "200 Shore Dr, Chicago, IL 60601, US",
        "+1 312 555 0200",
    ),
    "SHOP-E": (
        "customer",
        "Bake-at-Home Depot",
        "18 Dough Rd, Decatur, IL 62521, US",
        "+1 217 555 0118",
    ),
}

#: What the suppliers sent as the TLC source reference of their lots.
TLC_SOURCES = {
    ("WHEAT", "F-101"): "FFRN 19876543210",
    ("WHEAT", "F-102"): "FFRN 19876543210",
    ("SUGAR", "S-201"): "https://tlc.gulfsugar.example/S-201",
    ("EGGS", "E-301"): "GLN 0614141000029",
}


def fsma_food_chain(inv: sl.Inventory, clock: sl.FixedClock) -> Chain:
    """Post the food chain (tests/genealogy/test_food_recall.py) at the bakery site ``PLANT``
    and give items, parties, sites and received lots their FSMA 204 master data."""
    inv.add_location(
        "PLANT",
        description="Sunrise Bakery",
        address="12 Mill Road, Springfield, IL 62701, US",
        phone="+1 217 555 0100",
        gln="0614141000012",
        ffrn="11223344556",
    )
    chain = food_chain(inv, clock)
    for sku, (gtin, description) in ITEMS.items():
        inv.master.update_item(sku, gtin=gtin, description=description)
    for code, (kind, name, address, phone) in PARTIES.items():
        inv.add_party(code, kind=kind, name=name, address=address, phone=phone)
    for (sku, lot), reference in TLC_SOURCES.items():
        inv.master.update_lot(sku, lot, tlc_source_reference=reference)
    inv.master.update_location("transit/TRUCK-1", description="Truck 1 (own fleet)")
    return chain
