"""Urls as they are compared: two spellings of one page's address give one key."""

from urllib.parse import urlsplit, urlunsplit

from courlan import normalize_url


def url_key(url: str) -> str:
    """The url normalised for lookups: scheme and host in lower case, no default port, no
    fragment, no trailing slash, tracking parameters (utm_*, fbclid, gclid, ref...) dropped and
    the others sorted (courlan's normalize_url, not strict: a strict one drops every parameter
    it does not know, and `?id=3` names another page). Schemes stay apart (http is not https)."""
    try:
        parts = urlsplit(normalize_url(url.strip(), trailing_slash=False))
    except ValueError:  # not a url one can parse ("http://["): compared as given, spacing aside
        return url.strip()[:2048]
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))[:2048]
