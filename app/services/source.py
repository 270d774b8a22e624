from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import session_cache
from app.models import Source


def get_or_create_source(session: Session, *, name: str, domain: str | None = None) -> Source:
    """The source of that name (case-insensitive), created on first use."""
    name = name.strip()[:200]
    known = session_cache(session, "sources")
    found = (
        known.get(name.lower())
        or session.scalars(select(Source).where(func.lower(Source.name) == name.lower())).first()
    )
    if found is not None:
        known[name.lower()] = found
        if domain and not found.domain:
            found.domain = domain
        return found
    source = Source(name=name, domain=domain)
    try:
        with session.begin_nested():
            session.add(source)
    except IntegrityError:  # another writer created it first: use theirs
        return session.scalars(select(Source).where(Source.name == name)).one()
    return source
