from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.session import session_cache
from app.models import Source


def get_or_create_source(
    session: Session, *, name: str, domain: str | None = None, from_page: bool = False
) -> Source:
    """The source of that name (case-insensitive), created on first use.

    `from_page`: the name was read from the page (its own name, or its url's domain when it
    names none), so a domain is one outlet: a page that names nothing joins the named source
    of its domain, and the first page that names itself gives its name to a source that was
    only its domain. A name given by the caller is taken as it is."""
    name = name.strip()[:200]
    if from_page and domain:
        outlet = _outlet_of(session, name=name, domain=domain)
        if outlet is not None:
            return outlet
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


def _outlet_of(session: Session, *, name: str, domain: str) -> Source | None:
    outlets = session_cache(session, "outlets")  # domain -> its named source, once known
    if domain.lower() in outlets:
        return outlets[domain.lower()] if name.lower() == domain.lower() else None
    rows = session.scalars(select(Source).where(Source.domain == domain).order_by(Source.id))
    sources = list(rows)
    named = [s for s in sources if s.name.lower() != domain.lower()]
    bare = next((s for s in sources if s.name.lower() == domain.lower()), None)
    if named:
        outlets[domain.lower()] = named[0]
    if name.lower() == domain.lower():  # the page names nothing: its domain's outlet, if named
        return named[0] if named else bare
    if named or bare is None:
        return None  # the name decides, as for any source
    taken = session.scalars(select(Source).where(func.lower(Source.name) == name.lower())).first()
    if taken is not None:
        return None
    try:  # the domain's source takes the name the page gives it, unless a writer took it first
        with session.begin_nested():
            bare.name = name
            session.flush()
    except IntegrityError:
        session.refresh(bare)
        return None
    session_cache(session, "sources").pop(domain.lower(), None)
    outlets[domain.lower()] = bare
    return bare
