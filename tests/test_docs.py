"""The README keeps its promises: the two commands first, every setting documented."""

from pathlib import Path

from app.config import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    block = README.split("```sh", 1)[1].split("```", 1)[0].strip().splitlines()
    assert block[0].endswith("pip install -e . && defcoop demo")
    assert block[1].endswith("pip install -e '.[test,postgres]' && pytest")


def test_every_setting_is_documented() -> None:
    for name in Settings.model_fields:
        assert f"DEFCOOP_{name.upper()}" in README, name


def test_every_route_has_a_curl_example(client) -> None:
    spec = client.get("/openapi.json").json()
    for path in spec["paths"]:
        stem = path.split("{")[0].rstrip("/")
        assert stem in README, path


def test_the_tour_script_runs_the_readme_block_strictly() -> None:
    """docs/tour.sh reads the README's tour block and runs it under a strict header (what
    tests/test_e2e.py runs against a fresh `defcoop demo`); the block must be there to read."""
    assert "## A tour with curl\n\n```sh\n" in README
    block = README.split("## A tour with curl\n\n```sh\n", 1)[1].split("```\n", 1)[0]
    assert "curl" in block and "defcoop keys create" in block
    script = (Path(__file__).resolve().parent.parent / "docs" / "tour.sh").read_text("utf-8")
    assert "set -euo pipefail" in script and "--fail-with-body" in script
    assert 'eval "$tour"' in script and "curl -X" not in script  # no copy of the tour
