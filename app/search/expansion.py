"""Entity-aware expansion: a search for a state or a known entity also finds its other names.

`Turkey` also finds "Türkiye", "Turkish", "Turkiye"; a person's or organisation's stored aliases
("ISPR" for Inter-Services Public Relations) likewise. Off with `expand=false`.
"""

from functools import cache

from sqlalchemy import bindparam, select, union_all
from sqlalchemy.orm import Session

from app.extraction.lexicon import country_spellings
from app.kit.text import fold
from app.models import Entity, EntityAlias
from app.search.query import And, Node, Not, Or, Phrase, Term
from app.taxonomy import EntityKind

MAX_ALTERNATIVES = 12
_OTHER_KINDS = tuple(kind.value for kind in EntityKind if kind is not EntityKind.country)


@cache
def _country_keys() -> dict[str, str]:
    """folded spelling -> alpha-3."""
    found: dict[str, str] = {}
    for code, spellings in country_spellings().items():
        for spelling in spellings:
            key = fold(spelling)
            if len(key) >= 2:
                found.setdefault(key, code)
    return found


def _as_node(text: str) -> Term | Phrase | None:
    words = fold(text).split()
    if not words:
        return None
    return Term(words[0]) if len(words) == 1 else Phrase(tuple(words))


# Built once, run with the key bound: building them per word cost five times running them
# (0.25 of 0.3 ms a word). Two index seeks, the second only if the first finds nothing: the
# kinds listed lead the (kind, key) index, aliases have their own. An outer join OR-ing both
# keys scanned every entity (0.4 ms at 1,700 entities, growing); so did an OR of the two on
# PostgreSQL.
_NAMED = union_all(
    select(Entity.id, Entity.name).where(
        Entity.kind.in_(_OTHER_KINDS), Entity.key == bindparam("key")
    ),
    select(Entity.id, Entity.name)
    .join(EntityAlias, EntityAlias.entity_id == Entity.id)
    .where(EntityAlias.key == bindparam("key"), Entity.kind != EntityKind.country),
).limit(1)
_ALIASES = (
    select(EntityAlias.alias)
    .where(EntityAlias.entity_id == bindparam("entity_id"))
    .order_by(EntityAlias.id)
)


def _alternatives(session: Session, node: Term | Phrase) -> list[str]:
    text = node.text if isinstance(node, Term) else " ".join(node.words)
    key = fold(text)
    code = _country_keys().get(key)
    if code is not None:
        return list(country_spellings()[code])
    found = session.execute(_NAMED, {"key": key}).first()
    if found is None:
        return []
    aliases = session.scalars(_ALIASES, {"entity_id": found.id})
    return [found.name, *aliases]


def expand(session: Session, node: Node) -> Node:
    """The tree with each word that names a known thing replaced by (word OR its other names)."""
    if (isinstance(node, Term) and not node.prefix) or isinstance(node, Phrase):
        options: list[Term | Phrase] = [node]
        seen = {fold(node.text) if isinstance(node, Term) else " ".join(node.words)}
        for spelling in _alternatives(session, node):
            other = _as_node(spelling)
            key = fold(spelling)
            if other is not None and key not in seen and len(options) < MAX_ALTERNATIVES:
                seen.add(key)
                options.append(other)
        return node if len(options) == 1 else Or(tuple(options))
    if isinstance(node, Not):
        return Not(expand(session, node.child))
    if isinstance(node, And):
        return And(tuple(expand(session, c) for c in node.children))
    if isinstance(node, Or):
        return Or(tuple(expand(session, c) for c in node.children))
    return node
