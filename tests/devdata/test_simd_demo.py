"""The synthetic SIMD lookup the demo and the volume data set load: it must read as the
published lookup does, so the importer takes it, and look like Glasgow, so the demo's
deprivation figures look right."""

import math

from devdata.builders import DEMO_SIMD_FILE
from devdata.names import POSTCODES
from participants.models import SimdPostcode
from participants.simd import simd_import


def _lookup():
    return dict(SimdPostcode.objects.values_list("postcode", "quintile"))


def test_the_shipped_demo_lookup_loads_and_covers_every_demo_postcode(db):
    loaded = simd_import(path=DEMO_SIMD_FILE)

    assert 40 <= loaded <= 60
    assert set(POSTCODES) <= set(_lookup())


def test_the_demo_lookup_is_consistent_and_glasgow_east_and_north_are_the_most_deprived(db):
    simd_import(path=DEMO_SIMD_FILE)

    for row in SimdPostcode.objects.all():
        assert row.decile == math.ceil(row.rank * 10 / 6976), row
        assert row.vigintile == math.ceil(row.rank * 20 / 6976), row
        assert row.quintile == math.ceil(row.rank * 5 / 6976), row
    east_and_north = [
        quintile
        for postcode, quintile in _lookup().items()
        if postcode.split()[0] in {"G21", "G22", "G31", "G33", "G34", "G40", "G51"}
    ]
    assert set(east_and_north) == {1, 2}
    assert east_and_north.count(1) > 2 * east_and_north.count(2)
    west_end = [q for p, q in _lookup().items() if p.split()[0] in {"G11", "G12"}]
    assert west_end and set(west_end) <= {4, 5}
