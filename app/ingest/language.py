"""Language identification with py3langid (its model ships in the wheel; nothing downloads)."""

import re

import py3langid

_LETTERS = re.compile(r"[^\W\d_]+", re.UNICODE)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when there is too little text."""
    if len(_LETTERS.findall(text[:5000])) < 3:
        return None
    code, _score = py3langid.classify(text[:5000])
    return str(code)
