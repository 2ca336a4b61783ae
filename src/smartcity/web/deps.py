"""Dependencies every router uses: the platform, a database session, and who is asking."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from smartcity.platform import Platform
from smartcity.security.principal import Principal


async def get_platform(request: Request) -> Platform:
    return request.app.state.platform


PlatformDep = Annotated[Platform, Depends(get_platform)]


def get_session(platform: PlatformDep) -> Iterator[Session]:
    """One session per request; services commit what they change, anything else rolls back."""
    session = platform.db.new_session()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]

# Row ids in paths: positive and within a signed 64-bit integer on every backend.
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def require(permission: str) -> Any:
    """Use as `Annotated[Principal, require("geo:read")]`: authenticate, rate-limit, authorize."""
    from smartcity.security.authn import authorize_request

    def dependency(request: Request, platform: PlatformDep, session: SessionDep) -> Principal:
        return authorize_request(request, platform, session, permission)

    return Depends(dependency)
