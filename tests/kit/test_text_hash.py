"""content_hash folds the body as names are folded, without keeping it in fold's cache."""

from app.kit.text import content_hash, fold


def test_the_hash_ignores_case_accents_and_spacing() -> None:
    assert content_hash("Türkiye and  Chile signed.") == content_hash("turkiye AND chile, signed")
    assert content_hash("Chile and Peru") != content_hash("Chile and Bolivia")


def test_hashing_a_body_does_not_cache_it() -> None:
    body = "A body that only this test hashes: Norway and Denmark held talks. " * 20
    before = fold.cache_info().currsize
    content_hash(body)
    assert fold.cache_info().currsize == before
