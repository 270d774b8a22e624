"""Extraction for pages not in English: countries, dates and events from per-language data.

The English stages read English syntax; these read less (which states a sentence names, which
trigger words it uses, which dates it gives) from data files, one per language, in
app/extraction/data/languages/. A language without a file has no rules: its pages keep their
metadata and say why.
"""
