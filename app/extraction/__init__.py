"""Entities and events from article text. Pure: no database, no web framework.

`extract(document)` runs the registered stages in order; each stage has a name and a version,
and the article records the pipeline's version so that it can be re-extracted when it changes.
"""

from app.extraction.pipeline import PIPELINE_VERSION, extract, pipeline_version

__all__ = ["PIPELINE_VERSION", "extract", "pipeline_version"]
