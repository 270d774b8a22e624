"""Idempotency-Key: a retried write gets the first response again and stores nothing twice.

The key is stored with the response in the same transaction as the write (the request's), so
a key is kept exactly when what it wrote is. A key expires KEY_TTL after its first use; an
expired key is forgotten and may be used afresh. The same key with another request (another
endpoint, query or body) is refused, as draft-ietf-httpapi-idempotency-key-header says (422).
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.base import utcnow
from app.errors import Conflict, ValidationFailed
from app.models import IdempotencyKey

KEY_TTL = timedelta(hours=24)
HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: str
    location: str | None


def fingerprint(*, method: str, path: str, query: str, content_type: str, body: bytes) -> str:
    """What makes two requests the same request: method, path, query, media type and body."""
    digest = hashlib.sha256()
    for part in (method, path, query, content_type):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(body)
    return digest.hexdigest()


def get_response(
    session: Session, *, key: str, endpoint: str, request_hash: str
) -> StoredResponse | None:
    """The response stored for this key, or None (unused, or expired: then forgotten); the key
    used with another request is a ValidationFailed."""
    row = session.get(IdempotencyKey, key)
    if row is None:
        return None
    if row.expires_at <= utcnow():
        session.delete(row)
        session.flush()
        return None
    if row.endpoint != endpoint or row.request_hash != request_hash:
        raise ValidationFailed(
            f"This {HEADER} was used with another request (within the last "
            f"{KEY_TTL.total_seconds() / 3600:g} hours): send a new key for a new request.",
            field=HEADER,
            location="header",
        )
    return StoredResponse(row.status_code, row.body, row.location)


def create_response(
    session: Session,
    *,
    key: str,
    endpoint: str,
    request_hash: str,
    response: StoredResponse,
) -> None:
    """Keep the response for this key, in the write's transaction; expired keys go."""
    now = utcnow()
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= now))
    try:
        with session.begin_nested():
            session.add(
                IdempotencyKey(
                    key=key,
                    endpoint=endpoint,
                    request_hash=request_hash,
                    status_code=response.status_code,
                    location=response.location,
                    body=response.body,
                    created_at=now,
                    expires_at=now + KEY_TTL,
                )
            )
            session.flush()
    except IntegrityError as error:
        raise Conflict(
            f"Another request with this {HEADER} was stored at the same moment: retry it to "
            "get its response.",
            field=HEADER,
            location="header",
        ) from error
