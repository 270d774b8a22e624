"""sentence_index: the sentence holding an offset, or None between and around sentences."""

from app.kit.text import sentence_index, sentence_spans

TEXT = "Chile and Peru met.  Japan and India talked on Monday.\n\nKenya agreed. Mr. Ruto spoke."


def _scan(spans: list[tuple[int, int]], offset: int) -> int | None:
    return next((n for n, (start, end) in enumerate(spans) if start <= offset < end), None)


def test_every_offset_finds_the_sentence_a_scan_finds() -> None:
    spans = sentence_spans(TEXT)
    assert len(spans) == 4  # "Mr." ends none
    found = [sentence_index(spans, offset) for offset in range(-2, len(TEXT) + 2)]
    assert found == [_scan(spans, offset) for offset in range(-2, len(TEXT) + 2)]
    assert None in found and set(found) == {None, 0, 1, 2, 3}
    assert sentence_index([], 0) is None
