"""Database machinery below the services: the base, sessions, the change feed, time limits."""
