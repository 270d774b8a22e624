"""The explorer: a browser front end over the public /v1 API, served by the same process.

One HTML shell answers `/` and every `/explore/...` deep link; the browser's router
(`app/static/explorer/lib/router.js`) picks the view. The ES modules have no build step, so
they are served as they are, under `/explore/assets/<build>/`: <build> is a digest of the
files' names, sizes and modification times, so a URL names one version of every file and can
be cached for a year, and relative imports between modules carry the same build with them.
"""

import hashlib
import mimetypes
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from app.errors import NotFound

EXPLORER = Path(__file__).resolve().parents[2] / "static" / "explorer"
ASSETS = "/explore/assets"

# No inline script or style anywhere in the explorer: everything comes from our own origin.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",  # the shell names the build: always revalidated
}
ASSET_CACHE = "public, max-age=31536000, immutable"
# What the explorer ships, and the type each is served as (module scripts need a JS type).
TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
}

router = APIRouter(include_in_schema=False)


def build_id(root: Path = EXPLORER) -> str:
    """A digest of every file's path, size and modification time: it changes when any
    file does (a stat per file, no reading), so an edited module gets a new URL."""
    digest = hashlib.blake2b(digest_size=6)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        stat = path.stat()
        digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _shell(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    html = (EXPLORER / "index.html").read_text(encoding="utf-8")
    html = html.replace("{{root}}", root).replace("{{assets}}", f"{root}{ASSETS}/{build_id()}")
    return HTMLResponse(html, headers=PAGE_HEADERS)


@router.get("/")
def explorer_home(request: Request) -> HTMLResponse:
    return _shell(request)


@router.get(ASSETS + "/{build}/{asset:path}")
def explorer_asset(build: str, asset: str) -> FileResponse:
    """One file of the explorer. Whatever the build in the URL, the current file is served:
    a page opened before an upgrade still loads (its URLs were never cached with other
    contents, since any change makes a new build)."""
    path = (EXPLORER / asset).resolve()
    kind = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
    if not path.is_relative_to(EXPLORER) or not path.is_file() or kind is None:
        raise NotFound(f"The explorer has no file {asset!r}.")
    headers = {"Cache-Control": ASSET_CACHE, "X-Content-Type-Options": "nosniff"}
    if path.suffix == ".html":
        headers["Content-Security-Policy"] = CSP
    return FileResponse(path, media_type=kind, headers=headers)


@router.get("/explore/{view:path}")
def explorer_page(request: Request, view: str) -> HTMLResponse:
    """Every deep link gets the shell; the browser's router shows the view, or says that
    there is none."""
    return _shell(request)
