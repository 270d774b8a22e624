"""/docs works offline: Swagger UI is served from the package, never from a CDN."""

import re
from pathlib import Path

from fastapi.testclient import TestClient

from app.main import STATIC, SWAGGER_UI_VERSION

ASSETS = {
    "swagger-ui-bundle.js": "javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}


def _references(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)=["']([^"']+)["']|url:\s*'([^']+)'""", html)


def test_docs_refer_to_no_other_host(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    found = [a or b for a, b in _references(page.text)]
    assert len(found) >= 4, found  # the css, the icon, the script and the document
    for url in found:
        assert url.startswith("/") and not url.startswith("//"), url
    assert "cdn." not in page.text and "https://" not in page.text
    assert "/openapi.json" in found
    assert '"validatorUrl": null' in page.text  # no badge fetched from validator.swagger.io


def test_the_assets_are_served_with_their_types(client: TestClient) -> None:
    page = client.get("/docs").text
    for name, kind in ASSETS.items():
        url = f"/static/swagger-ui/{name}"
        assert url in page
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert kind in answer.headers["content-type"], (url, answer.headers["content-type"])
        assert answer.content == (STATIC / "swagger-ui" / name).read_bytes()
    assert client.head("/docs").status_code == 200
    assert client.get("/redoc").status_code == 404  # not vendored, so not offered


def test_the_vendored_bundle_is_the_pinned_version_with_its_licence() -> None:
    folder = Path(STATIC) / "swagger-ui"
    assert f'"{SWAGGER_UI_VERSION}"' in (folder / "swagger-ui-bundle.js").read_text("utf-8")
    assert "Apache License" in (folder / "LICENSE").read_text("utf-8")
    assert (folder / "swagger-ui-bundle.js.LICENSE.txt").exists()
