"""Country and dyad codes, now checked in app.schemas.filters; kept for the relations routes
until they read the filter models themselves (issue 12), then deleted."""

from app.schemas.filters import country_codes, dyad_codes

__all__ = ["country_codes", "dyad_codes"]
