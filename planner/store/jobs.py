"""The durable job store: every accepted job, its state, events and result, in one SQL database.

SQLite (a file) by default, PostgreSQL by URL. Several server processes may share one PostgreSQL
database as their job queue: :meth:`JobStore.claim` locks a queued row with ``FOR UPDATE SKIP LOCKED``
and takes it with a compare-and-set, so each job runs on exactly one server at a time; the holder renews a
lease, and when it dies another server takes the job over once the lease has expired.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, and_, create_engine, event, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from planner.exceptions import PlannerError, ValidationError
from planner.store.tables import JobEventRow, JobRow

logger = logging.getLogger(__name__)


class JobState(StrEnum):
    """Life cycle of a job: queued -> running -> succeeded | failed | cancelled."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)


class JobNotFound(PlannerError, LookupError):
    """No job has the given id."""

    def __init__(self, job_id: str):
        self.job_id = job_id
        super().__init__(f"no job with id {job_id!r}")


class QueueFull(PlannerError):
    """The store already holds the maximum number of queued jobs."""

    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"job queue is full: max_queued_jobs={limit} jobs are already waiting")


@dataclass(frozen=True)
class JobRecord:
    """A job as stored. Times are timezone-aware UTC."""

    id: str
    kind: str
    state: JobState
    name: str
    request_id: str | None
    payload: dict[str, Any]
    result: dict[str, Any] | None
    checkpoint: dict[str, Any] | None
    error: str
    cancel_requested: bool
    owner: str | None
    lease_expires_at: datetime | None
    attempts: int
    last_seq: int
    progress: dict[str, Any] | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True)
class JobEvent:
    """One event of a job: a state change (``type == "state"``) or an improving solution (``"progress"``)."""

    job_id: str
    seq: int
    type: str
    created_at: datetime
    state: JobState | None = None
    message: str = ""
    progress: dict[str, Any] | None = field(default=None)


def _now() -> datetime:
    """Naive UTC now: the database columns hold naive UTC times."""
    return datetime.now(UTC).replace(tzinfo=None)


def _aware(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=UTC)


def _record(row: JobRow) -> JobRecord:
    return JobRecord(
        id=row.id,
        kind=row.kind,
        state=JobState(row.state),
        name=row.name,
        request_id=row.request_id,
        payload=row.payload,
        result=row.result,
        checkpoint=row.checkpoint,
        error=row.error,
        cancel_requested=row.cancel_requested,
        owner=row.owner,
        lease_expires_at=_aware(row.lease_expires_at),
        attempts=row.attempts,
        last_seq=row.last_seq,
        progress=row.progress,
        created_at=_aware(row.created_at),  # type: ignore[arg-type]
        started_at=_aware(row.started_at),
        finished_at=_aware(row.finished_at),
    )


def payload_hash(kind: str, payload: dict[str, Any]) -> str:
    """Fingerprint of a request, to tell a repeated ``request_id`` from a reused one."""
    text = json.dumps([kind, payload], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def create_store_engine(url: str) -> Engine:
    """An engine for ``url``, set up for many threads (SQLite: WAL journal and a generous busy timeout)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class JobStore:
    """Durable jobs in a SQL database.

    Parameters
    ----------
    url
        SQLAlchemy URL: ``sqlite:///var/planner.db`` or ``postgresql://user@host/db``.
    migrate
        Bring the schema up to date (Alembic ``upgrade head``) before use.
    on_change
        Called (with the job id) after every change this store writes, e.g. to wake local watchers.
    """

    def __init__(self, url: str, *, migrate: bool = True, on_change: Callable[[str], None] | None = None):
        from planner.store.migrate import upgrade

        self.url = url
        self.engine = create_store_engine(url)
        if migrate:
            upgrade(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.on_change = on_change
        self._lock = threading.Lock()
        self.is_postgresql = self.engine.dialect.name == "postgresql"

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def _changed(self, job_id: str) -> None:
        if self.on_change is not None:
            self.on_change(job_id)

    @staticmethod
    def _add_event(
        session: Session,
        row: JobRow,
        type: str,
        *,
        state: JobState | None = None,
        message: str = "",
        progress: dict[str, Any] | None = None,
    ) -> None:
        row.last_seq += 1
        session.add(
            JobEventRow(
                job_id=row.id,
                seq=row.last_seq,
                type=type,
                state=state.value if state else "",
                message=message,
                progress=progress,
                created_at=_now(),
            )
        )

    def _load(self, session: Session, job_id: str, *, lock: bool = False) -> JobRow:
        query = select(JobRow).where(JobRow.id == job_id)
        if lock:
            query = query.with_for_update()
        row = session.execute(query).scalar_one_or_none()
        if row is None:
            raise JobNotFound(job_id)
        return row

    # -- creating and reading ------------------------------------------------------------------------

    def create(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        name: str = "",
        request_id: str | None = None,
        max_queued: int | None = None,
    ) -> tuple[JobRecord, bool]:
        """Store a new queued job, or return the one created before with the same ``request_id``.

        Parameters
        ----------
        kind
            Job kind, e.g. ``"schedule"``.
        payload
            JSON-ready description of the work.
        name
            What is solved, for listings.
        request_id
            Caller's idempotency key; empty or None for none.
        max_queued
            Refuse the job when this many jobs are already queued.

        Returns
        -------
        tuple
            The job and whether it existed before (same ``request_id``).

        Raises
        ------
        ValidationError
            When ``request_id`` was used before for a different request.
        QueueFull
            When ``max_queued`` jobs are already waiting.
        """
        request_id = request_id or None
        digest = payload_hash(kind, payload)
        if request_id is not None:
            existing = self._by_request_id(request_id, digest)
            if existing is not None:
                return existing, True
        now = _now()
        with self._sessions() as session:
            if max_queued is not None:
                queued = session.scalar(
                    select(func.count()).select_from(JobRow).where(JobRow.state == JobState.QUEUED.value)
                )
                if (queued or 0) >= max_queued:
                    raise QueueFull(max_queued)
            row = JobRow(
                id=uuid.uuid4().hex,
                kind=kind,
                state=JobState.QUEUED.value,
                name=name[:200],
                request_id=request_id,
                request_hash=digest,
                payload=payload,
                error="",
                cancel_requested=False,
                attempts=0,
                last_seq=0,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            try:
                session.flush()
                self._add_event(session, row, "state", state=JobState.QUEUED, message="accepted")
                session.commit()
            except IntegrityError:
                # Another request with the same request_id won the race: answer with its job.
                session.rollback()
                existing = self._by_request_id(request_id or "", digest)
                if existing is None:
                    raise
                return existing, True
            record = _record(row)
        logger.info("job %s (%s) queued", record.id, kind)
        self._changed(record.id)
        return record, False

    def _by_request_id(self, request_id: str, digest: str) -> JobRecord | None:
        with self._sessions() as session:
            row = session.execute(select(JobRow).where(JobRow.request_id == request_id)).scalar_one_or_none()
            if row is None:
                return None
            if row.request_hash != digest:
                raise ValidationError(
                    f"request_id {request_id!r} was already used for a different request", "request_id"
                )
            return _record(row)

    def get(self, job_id: str) -> JobRecord:
        """The job with id ``job_id``.

        Raises
        ------
        JobNotFound
            When there is none.
        """
        with self._sessions() as session:
            return _record(self._load(session, job_id))

    def list_jobs(
        self,
        *,
        page_size: int = 50,
        page_token: str = "",
        state: JobState | None = None,
        kind: str | None = None,
    ) -> tuple[list[JobRecord], str]:
        """Jobs newest first, a page at a time.

        Returns
        -------
        tuple
            The page and the token of the next page (empty on the last one).

        Raises
        ------
        ValidationError
            When ``page_token`` is not one this method returned.
        """
        query = select(JobRow).order_by(JobRow.created_at.desc(), JobRow.id.desc())
        if state is not None:
            query = query.where(JobRow.state == state.value)
        if kind:
            query = query.where(JobRow.kind == kind)
        if page_token:
            created, job_id = _decode_token(page_token)
            query = query.where(
                or_(JobRow.created_at < created, and_(JobRow.created_at == created, JobRow.id < job_id))
            )
        with self._sessions() as session:
            rows = session.execute(query.limit(page_size + 1)).scalars().all()
        records = [_record(r) for r in rows[:page_size]]
        token = ""
        if len(rows) > page_size:
            last = rows[page_size - 1]
            token = _encode_token(last.created_at, last.id)
        return records, token

    def events(self, job_id: str, after_seq: int = 0) -> list[JobEvent]:
        """Events of a job with a sequence number above ``after_seq``, in order."""
        with self._sessions() as session:
            rows = (
                session.execute(
                    select(JobEventRow)
                    .where(JobEventRow.job_id == job_id, JobEventRow.seq > after_seq)
                    .order_by(JobEventRow.seq)
                )
                .scalars()
                .all()
            )
        return [
            JobEvent(
                job_id=r.job_id,
                seq=r.seq,
                type=r.type,
                created_at=_aware(r.created_at),  # type: ignore[arg-type]
                state=JobState(r.state) if r.state else None,
                message=r.message,
                progress=r.progress,
            )
            for r in rows
        ]

    def count(self, state: JobState) -> int:
        """Number of jobs in ``state``."""
        with self._sessions() as session:
            return int(
                session.scalar(select(func.count()).select_from(JobRow).where(JobRow.state == state.value))
                or 0
            )

    # -- running -------------------------------------------------------------------------------------

    def claim(
        self, owner: str, *, lease_seconds: float, kinds: Sequence[str] | None = None, max_attempts: int = 3
    ) -> JobRecord | None:
        """Take the oldest queued job (or a running one whose lease expired) for ``owner``.

        A job whose holder died ``max_attempts`` times is marked failed instead of being run again.

        Returns
        -------
        JobRecord or None
            The claimed job, now running with a fresh lease, or None when there is nothing to do.
        """
        while True:
            now = _now()
            with self._sessions() as session:
                query = (
                    select(JobRow)
                    .where(
                        or_(
                            JobRow.state == JobState.QUEUED.value,
                            and_(JobRow.state == JobState.RUNNING.value, JobRow.lease_expires_at < now),
                        )
                    )
                    .order_by(JobRow.created_at, JobRow.id)
                    .limit(1)
                )
                if kinds:
                    query = query.where(JobRow.kind.in_(list(kinds)))
                if self.is_postgresql:
                    query = query.with_for_update(skip_locked=True)
                row = session.execute(query).scalar_one_or_none()
                if row is None:
                    return None
                taken_over = row.state == JobState.RUNNING.value
                previous_owner = row.owner
                # Compare-and-set: on SQLite (no row locks) another process may have claimed it meanwhile.
                guard = and_(JobRow.id == row.id, JobRow.state == row.state, JobRow.attempts == row.attempts)
                if taken_over and row.attempts >= max_attempts:
                    message = f"server {previous_owner} stopped while running this job {row.attempts} times; giving up"
                    done = session.execute(
                        update(JobRow)
                        .where(guard)
                        .values(
                            state=JobState.FAILED.value,
                            error=message,
                            owner=None,
                            lease_expires_at=None,
                            finished_at=now,
                            updated_at=now,
                        )
                    )
                    if done.rowcount == 1:  # type: ignore[attr-defined]
                        session.refresh(row)
                        self._add_event(session, row, "state", state=JobState.FAILED, message=message)
                    session.commit()
                    self._changed(row.id)
                    continue
                done = session.execute(
                    update(JobRow)
                    .where(guard)
                    .values(
                        state=JobState.RUNNING.value,
                        owner=owner,
                        lease_expires_at=now + timedelta(seconds=lease_seconds),
                        attempts=JobRow.attempts + 1,
                        started_at=now,
                        updated_at=now,
                    )
                )
                if done.rowcount != 1:  # type: ignore[attr-defined]
                    session.rollback()
                    continue
                session.refresh(row)
                message = f"claimed by {owner}"
                if taken_over:
                    message += f", taken over from {previous_owner} whose lease expired"
                self._add_event(session, row, "state", state=JobState.RUNNING, message=message)
                session.commit()
                record = _record(row)
            logger.info("job %s %s (attempt %d)", record.id, message, record.attempts)
            self._changed(record.id)
            return record

    def renew(self, job_ids: Iterable[str], owner: str, *, lease_seconds: float) -> tuple[set[str], set[str]]:
        """Extend the leases ``owner`` holds on ``job_ids``.

        Returns
        -------
        tuple
            The ids whose cancellation was asked for, and the ids ``owner`` no longer holds.
        """
        ids = list(job_ids)
        if not ids:
            return set(), set()
        now = _now()
        with self._sessions() as session:
            session.execute(
                update(JobRow)
                .where(JobRow.id.in_(ids), JobRow.owner == owner, JobRow.state == JobState.RUNNING.value)
                .values(lease_expires_at=now + timedelta(seconds=lease_seconds))
            )
            rows = session.execute(
                select(JobRow.id, JobRow.owner, JobRow.state, JobRow.cancel_requested).where(
                    JobRow.id.in_(ids)
                )
            ).all()
            session.commit()
        cancel = {r.id for r in rows if r.cancel_requested}
        held = {r.id for r in rows if r.owner == owner and r.state == JobState.RUNNING.value}
        return cancel, set(ids) - held

    def record_progress(self, job_id: str, owner: str, progress: dict[str, Any]) -> None:
        """Store an improving solution of a running job as its progress and as an event."""
        with self._sessions() as session:
            row = self._load(session, job_id, lock=True)
            if row.owner != owner or row.state != JobState.RUNNING.value:
                return
            row.progress = progress
            row.updated_at = _now()
            self._add_event(session, row, "progress", progress=progress)
            session.commit()
        self._changed(job_id)

    def finish(
        self,
        job_id: str,
        owner: str,
        state: JobState,
        *,
        result: dict[str, Any] | None = None,
        error: str = "",
        message: str = "",
    ) -> bool:
        """End a job ``owner`` runs with a terminal ``state``, its result or error.

        Returns
        -------
        bool
            False when ``owner`` no longer held the job (another server took it over): nothing written.
        """
        now = _now()
        with self._sessions() as session:
            row = self._load(session, job_id, lock=True)
            if row.owner != owner or row.state != JobState.RUNNING.value:
                logger.warning("job %s: %s no longer holds it; result dropped", job_id, owner)
                return False
            row.state = state.value
            row.result = result
            row.error = error
            row.owner = None
            row.lease_expires_at = None
            row.finished_at = now
            row.updated_at = now
            self._add_event(session, row, "state", state=state, message=message or error)
            session.commit()
        logger.info("job %s %s", job_id, state.value)
        self._changed(job_id)
        return True

    def requeue(self, job_id: str, owner: str, *, checkpoint: dict[str, Any] | None, message: str) -> bool:
        """Put a job ``owner`` runs back in the queue (server shutting down), keeping a checkpoint."""
        with self._sessions() as session:
            row = self._load(session, job_id, lock=True)
            if row.owner != owner or row.state != JobState.RUNNING.value:
                return False
            row.state = JobState.QUEUED.value
            row.owner = None
            row.lease_expires_at = None
            if checkpoint is not None:
                row.checkpoint = checkpoint
            row.updated_at = _now()
            self._add_event(session, row, "state", state=JobState.QUEUED, message=message)
            session.commit()
        logger.info("job %s requeued: %s", job_id, message)
        self._changed(job_id)
        return True

    def request_cancel(self, job_id: str) -> JobRecord:
        """Ask for a job to stop: a queued job is cancelled at once, a running one flagged for its holder.

        Raises
        ------
        JobNotFound
            When there is no such job.
        """
        now = _now()
        with self._sessions() as session:
            row = self._load(session, job_id, lock=True)
            if not JobState(row.state).terminal and not row.cancel_requested:
                row.cancel_requested = True
                row.updated_at = now
                if row.state == JobState.QUEUED.value:
                    row.state = JobState.CANCELLED.value
                    row.finished_at = now
                    row.result = row.checkpoint
                    self._add_event(
                        session, row, "state", state=JobState.CANCELLED, message="cancelled while queued"
                    )
                session.commit()
            record = _record(row)
        self._changed(job_id)
        return record


def _encode_token(created: datetime, job_id: str) -> str:
    return base64.urlsafe_b64encode(f"{created.isoformat()}|{job_id}".encode()).decode()


def _decode_token(token: str) -> tuple[datetime, str]:
    try:
        created, job_id = base64.urlsafe_b64decode(token.encode()).decode().split("|", 1)
        return datetime.fromisoformat(created), job_id
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError("not a page token returned by ListJobs", "page_token") from exc
