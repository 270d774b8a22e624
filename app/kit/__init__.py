"""Helpers shared by ingest, extraction, search and services: text, dates, language, paging."""
