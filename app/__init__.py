"""defcoop: a REST API over news about defence cooperation between states."""

__version__ = "0.1.0"
