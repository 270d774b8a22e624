"""API keys: created with a scope, stored as hashes, checked on every write."""

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.base import utcnow
from app.errors import NotFound
from app.models import ApiKey


class Scope(StrEnum):
    read = "read"
    write = "write"  # implies read


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    secret: str  # shown once


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(session: Session, *, name: str, scope: Scope) -> NewKey:
    """A new key; the secret is returned once and never stored."""
    secret = "dc_" + secrets.token_urlsafe(32)
    key = ApiKey(name=name[:100], prefix=secret[:10], key_hash=_hash(secret), scope=scope.value)
    session.add(key)
    session.flush()
    return NewKey(key, secret)


def find_key(session: Session, *, secret: str) -> ApiKey | None:
    """The live key with this secret, or None."""
    key = session.scalars(select(ApiKey).where(ApiKey.key_hash == _hash(secret))).first()
    return key if key is not None and key.revoked_at is None else None


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def revoke_key(session: Session, *, key_id: int) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"No API key with id {key_id}.")
    key.revoked_at = key.revoked_at or utcnow()
    session.flush()
    return key


def allows(key: ApiKey, needed: Scope) -> bool:
    return key.scope == Scope.write or needed is Scope.read
