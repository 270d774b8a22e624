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
