"""A produce chain with every FSMA 204 event a leafy green meets before it reaches a shop:
harvest → cool → initial pack → ship → receive → transform → ship."""

from __future__ import annotations

import attrs

import stockline as sl
from stockline import Component, Output


@attrs.frozen
class Produce:
    """The postings of the produce chain, in the order they happened."""

    harvested: sl.Transaction
    cooled: sl.Transaction
    packed: sl.Transaction
    loaded: sl.Transaction
    unloaded: sl.Transaction
    cut: sl.Transaction
    shipped: sl.Transaction


def produce_chain(inv: sl.Inventory, clock: sl.FixedClock) -> Produce:
    """Post the chain at three sites of one grower-shipper and a fresh-cut plant:

    - 2 March, 06:00 Pacific (14:00 UTC), the farm harvests 75 bins of romaine from the
      field "Block 7" under field tag FT-0302;
    - 08:00 the bins reach the cooling and packing house and are hydro-cooled;
    - 10:00 they are packed into 600 cases of romaine hearts, lot RH-0302 (the TLC is
      assigned here);
    - 12:00 500 cases leave on the grower-shipper's truck for the fresh-cut plant;
    - 16:00 the plant unloads them;
    - 3 March, 06:00 it cuts 400 cases into 1,200 bags of chopped romaine, lot CR-0303;
    - 10:00 it ships 1,000 bags to a grocer.
    """
    inv.add_location(
        "FARM",
        description="Green Acres Farm",
        address="1 Field Rd, Gonzales, CA 93926, US",
        phone="+1 831 555 0111",
    )
    inv.add_location(
        "PACKHOUSE",
        description="Valley Cooling & Packing",
        address="200 Cooler Ave, Salinas, CA 93901, US",
        phone="+1 831 555 0120",
        ffrn="22334455667",
    )
    inv.add_location(
        "PLANT",
        description="Fresh-Cut Kitchens",
        address="9 Processor Way, Fresno, CA 93721, US",
        phone="+1 559 555 0130",
        gln="0614141000036",
    )
    for path in (
        "FARM/BINS",
        "PACKHOUSE/HYDRO",
        "PACKHOUSE/CASES",
        "PLANT/DOCK",
        "PLANT/COOLER",
    ):
        inv.add_location(path)
    inv.add_location("TRUCKS/T7", kind="transit", description="Truck 7 (own fleet)")
    inv.add_item("ROMAINE", description="Romaine lettuce, Green Forest", tracking="lot")
    inv.add_item(
        "HEARTS",
        gtin="10614141000118",
        description="Romaine hearts, 3 ct, case of 12",
        tracking="lot",
    )
    inv.add_item(
        "CHOPPED",
        gtin="10614141000125",
        description="Chopped romaine, 10 oz bag",
        tracking="lot",
    )
    inv.add_party(
        "GROCER",
        kind="customer",
        name="Corner Grocer",
        address="5 Main St, Fresno, CA 93721, US",
        phone="+1 559 555 0105",
    )
    clock.advance(hours=6)
    harvested = inv.food.harvest(
        "ROMAINE", 75, lot="FT-0302", dst="FARM/BINS", field="Block 7", ref="HL-0302"
    )
    clock.advance(hours=2)
    cooled = inv.food.cool(
        "ROMAINE",
        75,
        lot="FT-0302",
        src="FARM/BINS",
        dst="PACKHOUSE/HYDRO",
        ref="HC-0302",
    )
    clock.advance(hours=2)
    packed = inv.produce(
        consume=[Component(sku="ROMAINE", quantity=75, lot="FT-0302", location="PACKHOUSE/HYDRO")],
        output=[Output(sku="HEARTS", quantity=600, lot="RH-0302", location="PACKHOUSE/CASES")],
        ref="PACK-0302",
    )
    clock.advance(hours=2)
    loaded = inv.move(
        "HEARTS", 500, lot="RH-0302", src="PACKHOUSE/CASES", dst="TRUCKS/T7", refs={"BOL": "B-77"}
    )
    clock.advance(hours=4)
    unloaded = inv.move(
        "HEARTS", 500, lot="RH-0302", src="TRUCKS/T7", dst="PLANT/DOCK", refs={"BOL": "B-77"}
    )
    clock.advance(hours=14)
    cut = inv.produce(
        consume=[Component(sku="HEARTS", quantity=400, lot="RH-0302", location="PLANT/DOCK")],
        output=[Output(sku="CHOPPED", quantity=1200, lot="CR-0303", location="PLANT/COOLER")],
        ref="WO-0303",
    )
    clock.advance(hours=4)
    shipped = inv.ship(
        "CHOPPED",
        1000,
        lot="CR-0303",
        src="PLANT/COOLER",
        customer="GROCER",
        ref="SO-55",
        refs={"BOL": "B-81"},
    )
    return Produce(harvested, cooled, packed, loaded, unloaded, cut, shipped)
