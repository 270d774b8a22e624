"""ASGI middleware: body limits and methods, ETags, rate limits, request context and metrics."""
