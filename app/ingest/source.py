"""The outlet behind a page: its registered domain, or a footer handle such as @AzerNewsAz."""

import re
from functools import cache
from urllib.parse import urlsplit

import pycountry
import tldextract


@cache
def _extractor() -> tldextract.TLDExtract:
    # The public-suffix snapshot bundled with tldextract: no download at run time.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def source_from_url(url: str | None) -> tuple[str | None, str | None]:
    """(name, domain) of a url's site: both the registered domain, e.g. 'trend.az'."""
    if not url:
        return None, None
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname
    except ValueError:  # "http://[" and other urls no parser accepts
        return None, None
    if not host:
        return None, None
    parts = _extractor()(host)
    if parts.suffix:
        domain = f"{parts.domain}.{parts.suffix}" if parts.domain else parts.suffix
    else:  # not a public suffix (an intranet or .example host): keep the host itself
        domain = host.removeprefix("www.")
    return domain.lower(), domain.lower()


def source_from_handle(handle: str) -> str:
    """'AzerNewsAz' -> 'AzerNews': a trailing capitalised country code is the site's suffix."""
    parts = re.findall(r"[A-Z][a-z0-9]*|[a-z0-9]+", handle)
    if (
        len(parts) > 1
        and len(parts[-1]) == 2
        and pycountry.countries.get(alpha_2=parts[-1].upper())
    ):
        return "".join(parts[:-1])
    return handle
