"""The README keeps its promises: the two commands first, every setting documented."""

import re

from app.config import Settings
from tests.helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    block = README.split("```sh", 1)[1].split("```", 1)[0].strip().splitlines()
    assert block[0].endswith("pip install -e . && defcoop demo")
    assert block[1].endswith("pip install -e '.[test,postgres]' && pytest")


def test_every_setting_is_documented() -> None:
    for name in Settings.model_fields:
        assert f"DEFCOOP_{name.upper()}" in README, name


def _example_pattern(path: str) -> re.Pattern[str]:
    """A README URL of this templated path: after a host, each `{param}` one segment, and whole."""
    parts = re.split(r"\{[^}]+\}", path)
    body = "[^/?#\\s\"']+".join(re.escape(part) for part in parts)
    return re.compile(r"(?:\$B|//[^/\s]+)" + body + r"(?=[?#\s\"'\\)]|$)", re.MULTILINE)


def test_the_example_pattern_matches_whole_paths_only() -> None:
    similar = _example_pattern("/v1/articles/{article_id}/similar")
    assert similar.search('curl "$B/v1/articles/12/similar?limit=3"')
    assert not similar.search("curl $B/v1/articles/12")
    assert not similar.search("curl $B/v1/articles")
    assert not _example_pattern("/v1/articles").search("curl $B/v1/articles/12")
    assert _example_pattern("/v1/articles").search("curl -s $B/v1/articles?limit=2 | jq")


def test_every_route_has_a_curl_example(client) -> None:
    spec = client.get("/openapi.json").json()
    missing = [path for path in spec["paths"] if not _example_pattern(path).search(README)]
    assert missing == []


def test_the_tour_script_runs_the_readme_block_strictly() -> None:
    """docs/tour.sh reads the README's tour block and runs it under a strict header (what
    tests/system/test_e2e.py runs against a fresh `defcoop demo`); the block must be there to read."""
    assert "## A tour with curl\n\n```sh\n" in README
    block = README.split("## A tour with curl\n\n```sh\n", 1)[1].split("```\n", 1)[0]
    assert "curl" in block and "defcoop keys create" in block
    script = (ROOT / "docs" / "tour.sh").read_text("utf-8")
    assert "set -euo pipefail" in script and "--fail-with-body" in script
    assert 'eval "$tour"' in script and "curl -X" not in script  # no copy of the tour
