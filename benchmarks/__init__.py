"""Reproducible speed and quality measurements; a package so tests can import the corpus generator."""
