"""The explorer's vendored libraries are what vendor/README.md says: each file byte for byte
the npm package's (its checksum listed), each library with its licence, and none loaded by
the first page (only dynamic import() reaches vendor/, so the search page's budget holds)."""

import hashlib
import re
from pathlib import Path

EXPLORER = Path(__file__).resolve().parents[2] / "app" / "static" / "explorer"
VENDOR = EXPLORER / "vendor"
CHECKSUM = re.compile(r"^([0-9a-f]{64})  (\S+)$", re.MULTILINE)


def _listed() -> dict[str, str]:
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    return {path: digest for digest, path in CHECKSUM.findall(readme)}


def test_every_vendored_file_is_listed_with_its_checksum() -> None:
    listed = _listed()
    shipped = {
        str(p.relative_to(VENDOR))
        for p in VENDOR.rglob("*")
        if p.is_file() and p.name not in ("README.md", "LICENSE")
    }
    assert shipped, "nothing vendored"
    assert shipped == set(listed)
    for path, digest in listed.items():
        assert hashlib.sha256((VENDOR / path).read_bytes()).hexdigest() == digest, path


def test_every_library_has_its_licence_and_a_row_in_the_readme() -> None:
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    libraries = [d for d in VENDOR.iterdir() if d.is_dir()]
    assert libraries
    for library in libraries:
        licence = library / "LICENSE"
        assert licence.is_file() and len(licence.read_text(encoding="utf-8")) > 200
        assert f"`{library.name}/LICENSE`" in readme


def test_vendored_code_is_only_imported_dynamically() -> None:
    static_import = re.compile(r"^\s*import\b[^(]*['\"][^'\"]*vendor/", re.MULTILINE)
    offenders = [
        str(p.relative_to(EXPLORER))
        for p in EXPLORER.rglob("*.js")
        if VENDOR not in p.parents and static_import.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    uses = [p for p in EXPLORER.rglob("*.js") if 'import("../vendor/' in p.read_text("utf-8")]
    assert uses, "no view loads a vendored library"
