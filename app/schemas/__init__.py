"""Pydantic v2 API contracts. Never imported by app.models."""
