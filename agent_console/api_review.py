"""Console API for conversation designers (and supervisors): the review list of messages the
assistant understood poorly, adding them to the training data, and exporting conversations
as regression tests. Texts are masked; every export is audited.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from agent_console import audit, conversation_export, training_data
from agent_console.guards import ActingReviewerDep, ReviewerDep
from conversations.models import Conversation, ReviewItem
from conversations.rasa_client import RasaNotFound, RasaUnavailable
from core.senders import SENDER_ID_PATTERN
from crm.clock import utcnow
from crm.db import session_scope
from crm.settings import get_settings

router = APIRouter(prefix="/console/api", tags=["review"])
ConversationId = Annotated[str, Path(pattern=SENDER_ID_PATTERN)]


class AssignIn(BaseModel):
    intent: str = Field(min_length=2, max_length=63)


def _item(row: ReviewItem) -> dict[str, Any]:
    return {
        "id": row.id,
        "conversation_id": row.conversation_id,
        "text": row.text,
        "predicted_intent": row.predicted_intent,
        "confidence": round(row.confidence, 3),
        "reason": row.reason,
        "status": row.status,
        "assigned_intent": row.assigned_intent,
        "created_at": row.created_at.isoformat() + "Z",
    }


@router.get("/review")
def review_list(
    who: ReviewerDep,
    state: Annotated[Literal["open", "added", "dismissed"], Query(alias="status")] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """Messages to review, newest first (open by default)."""
    with session_scope() as session:
        rows = session.scalars(
            select(ReviewItem)
            .where(ReviewItem.status == state)
            .order_by(ReviewItem.created_at.desc(), ReviewItem.id.desc())
            .limit(limit)
        )
        return [_item(row) for row in rows]


@router.get("/review/intents")
def review_intents(who: ReviewerDep) -> list[str]:
    """The domain's intents, to choose from (a new name is allowed too)."""
    return training_data.domain_intents(get_settings().training_data_dir)


def _open_item(item_id: int) -> ReviewItem:
    with session_scope() as session:
        row = session.get(ReviewItem, item_id)
        if row is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such review item.")
        if row.status != "open":
            raise HTTPException(status.HTTP_409_CONFLICT, detail=f"Already {row.status}.")
        session.expunge(row)
        return row


def _close_item(item_id: int, who_id: int, state: str, intent: str | None) -> None:
    with session_scope() as session:
        row = session.get(ReviewItem, item_id)
        if row is not None:
            row.status, row.assigned_intent = state, intent
            row.reviewed_by, row.reviewed_at = who_id, utcnow()
            audit.record(session, who_id, f"review_{state}", None, f"{item_id} {intent or ''}")


@router.post("/review/{item_id}/assign")
async def assign(item_id: int, body: AssignIn, who: ActingReviewerDep) -> dict[str, Any]:
    """Add the message as an example of `intent`, after `rasa data validate` accepts it.

    422 with Rasa's report when validation objects; nothing is written then."""
    row = await run_in_threadpool(_open_item, item_id)
    settings = get_settings()
    intent = body.intent.strip()
    try:
        outcome = await run_in_threadpool(
            training_data.add_example,
            settings.training_data_dir, settings.rasa_bin, row.text, intent,
        )  # fmt: skip
    except training_data.InvalidExample as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail={"message": str(exc), "report": exc.report},
        ) from None
    await run_in_threadpool(_close_item, item_id, who.id, "added", intent)
    return {
        "status": "added",
        "written": outcome.written,
        "new_intent": outcome.new_intent,
        "file": str(training_data.REVIEW_NLU),
        "report": outcome.report,
    }


@router.post("/review/{item_id}/dismiss")
def dismiss(item_id: int, who: ActingReviewerDep) -> dict[str, str]:
    """Not worth a training example (e.g. gibberish); leaves the training data alone."""
    _open_item(item_id)
    _close_item(item_id, who.id, "dismissed", None)
    return {"status": "dismissed"}


@router.get("/export/conversations")
def exportable(
    who: ReviewerDep, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[dict[str, Any]]:
    """The most recent conversations (any channel), to export as tests."""
    with session_scope() as session:
        rows = session.scalars(
            select(Conversation).order_by(Conversation.updated_at.desc()).limit(limit)
        )
        return [
            {
                "id": c.id,
                "customer_id": c.customer_id,
                "last_channel": c.last_channel,
                "status": c.status,
                "updated_at": c.updated_at.isoformat() + "Z",
            }
            for c in rows
        ]


def _customer_of(conversation_id: str) -> int | None:
    with session_scope() as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such conversation.")
        return conversation.customer_id


def _audit_export(who_id: int, customer_id: int | None, conversation_id: str, form: str) -> None:
    """Recorded once the export is in hand: a failed export hands nothing out."""
    with session_scope() as session:
        audit.record(
            session, who_id, "export_conversation", customer_id, f"{conversation_id} {form}"
        )


def _download(content: str, filename: str) -> PlainTextResponse:
    return PlainTextResponse(
        content,
        media_type="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _unavailable(exc: RasaUnavailable) -> HTTPException:
    if isinstance(exc, RasaNotFound):  # Rasa holds no history for it (never, or erased)
        return HTTPException(status.HTTP_404_NOT_FOUND, detail="No history for this conversation.")
    return HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(exc))


@router.get("/conversations/{conversation_id}/export/story", response_class=PlainTextResponse)
async def export_story(
    conversation_id: ConversationId, who: ReviewerDep, request: Request
) -> PlainTextResponse:
    """The conversation as a Rasa test story (for `rasa test core`)."""
    customer_id = await run_in_threadpool(_customer_of, conversation_id)
    try:
        story = await request.app.state.rasa.story(conversation_id)
    except RasaUnavailable as exc:
        raise _unavailable(exc) from None
    content = conversation_export.masked_story(conversation_id, story)
    await run_in_threadpool(_audit_export, who.id, customer_id, conversation_id, "story")
    return _download(content, f"{conversation_id}.story.yml")


@router.get("/conversations/{conversation_id}/export/e2e", response_class=PlainTextResponse)
async def export_e2e(
    conversation_id: ConversationId, who: ReviewerDep, request: Request
) -> PlainTextResponse:
    """The conversation as an end-to-end test conversation (for tests/e2e/)."""
    customer_id = await run_in_threadpool(_customer_of, conversation_id)
    try:
        tracker = await request.app.state.rasa.tracker(conversation_id)
    except RasaUnavailable as exc:
        raise _unavailable(exc) from None
    try:
        content = conversation_export.e2e_yaml(
            conversation_id, customer_id, tracker.get("events") or []
        )
    except conversation_export.NotReplayable as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(exc)) from None
    await run_in_threadpool(_audit_export, who.id, customer_id, conversation_id, "e2e")
    return _download(content, f"{conversation_id}.e2e.yml")
