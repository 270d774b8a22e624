"""The collector's bulk settings: on for a load, as before afterwards."""

import gc

from app.kit.collector import BULK_THRESHOLDS, bulk_collection


def test_a_load_collects_less_often_and_leaves_the_settings_as_they_were() -> None:
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    with bulk_collection():
        assert gc.get_threshold() == BULK_THRESHOLDS
        assert gc.get_freeze_count() > frozen  # what was loaded is frozen
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
