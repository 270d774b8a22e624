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


def test_freezes_nest_only_the_outermost_thaws() -> None:
    from app.kit.collector import frozen

    assert gc.get_freeze_count() == 0
    with bulk_collection():
        with frozen():  # the extraction pool's, inside a load's
            pass
        assert gc.get_freeze_count() > 0  # the load's freeze still holds
    assert gc.get_freeze_count() == 0
    gc.freeze()  # frozen by someone outside: a load leaves it so
    try:
        with bulk_collection():
            pass
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
