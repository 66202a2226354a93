"""Closed-loop reporting: response rates by segment, channel, offer, context, presenter."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status

from crm.api.deps import DbSession, require_service_token
from crm.closed_loop import DIMENSIONS, response_rates
from crm.schemas import ResponseRateRow

router = APIRouter(
    prefix="/analytics", tags=["analytics"], dependencies=[Depends(require_service_token)]
)


@router.get(
    "/response-rates", response_model=list[ResponseRateRow], response_model_exclude_unset=True
)
def read_response_rates(
    session: DbSession,
    by: Annotated[
        str, Query(max_length=100, description="Comma-separated: " + ", ".join(DIMENSIONS))
    ] = "segment,channel,offer",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[ResponseRateRow]:
    dims = [d.strip() for d in by.split(",") if d.strip()]
    unknown = [d for d in dims if d not in DIMENSIONS]
    if unknown or len(set(dims)) != len(dims):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=f"'by' takes distinct values among {', '.join(DIMENSIONS)}; got {by!r}.",
        )
    rows = response_rates(
        session,
        dims,
        dt.datetime.combine(since, dt.time()) if since else None,
        dt.datetime.combine(until, dt.time()) if until else None,
    )
    return [ResponseRateRow(**r) for r in rows]
