"""Tests that the job store keeps jobs durable and hands each to exactly one owner: idempotent creation,
claims, leases and take-over, cancellation, events and pages, on SQLite and (when reachable) PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect

from planner.exceptions import ValidationError
from planner.store import JobNotFound, JobState, JobStore, QueueFull
from tests.service.conftest import fresh_pg_url, pg_available

PG_SKIP = pg_available()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[JobStore]:
    if request.param == "postgresql":
        if PG_SKIP:
            pytest.skip(PG_SKIP)
        url = fresh_pg_url()
    else:
        url = f"sqlite:///{tmp_path / 'jobs.db'}"
    s = JobStore(url)
    yield s
    s.close()


def test_migrations_create_the_schema(store: JobStore) -> None:
    """Tests that opening a store runs the Alembic migrations up to head."""
    tables = set(inspect(store.engine).get_table_names())
    assert {"jobs", "job_events", "alembic_version"} <= tables
    JobStore(store.url).close()  # a second open finds the schema at head and changes nothing


def test_create_is_idempotent_by_request_id(store: JobStore) -> None:
    """Tests that the same request_id returns the first job, and a different payload under it is refused."""
    job, existed = store.create("schedule", {"x": 1}, name="a", request_id="r-1")
    again, existed_again = store.create("schedule", {"x": 1}, name="a", request_id="r-1")
    assert not existed and existed_again and again.id == job.id
    with pytest.raises(ValidationError) as info:
        store.create("schedule", {"x": 2}, request_id="r-1")
    assert info.value.violations[0].field == "request_id"
    other, _ = store.create("schedule", {"x": 1})
    assert other.id != job.id


def test_queue_limit(store: JobStore) -> None:
    """Tests that creation fails once max_queued jobs wait."""
    store.create("schedule", {}, max_queued=2)
    store.create("schedule", {}, max_queued=2)
    with pytest.raises(QueueFull):
        store.create("schedule", {}, max_queued=2)


def test_claim_finish_and_events(store: JobStore) -> None:
    """Tests the life cycle queued -> running -> succeeded with numbered events."""
    first, _ = store.create("schedule", {"n": 1})
    second, _ = store.create("schedule", {"n": 2})
    claimed = store.claim("A", lease_seconds=30)
    assert claimed is not None and claimed.id == first.id  # oldest first
    assert claimed.state == JobState.RUNNING and claimed.owner == "A" and claimed.attempts == 1
    store.record_progress(first.id, "A", {"objective": 10})
    store.record_progress(first.id, "B", {"objective": 5})  # not the owner: ignored
    assert not store.finish(first.id, "B", JobState.SUCCEEDED, result={"x": 1})
    assert store.finish(first.id, "A", JobState.SUCCEEDED, result={"x": 1})
    done = store.get(first.id)
    assert done.state == JobState.SUCCEEDED and done.result == {"x": 1} and done.progress == {"objective": 10}
    events = store.events(first.id)
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert [e.type for e in events] == ["state", "state", "progress", "state"]
    assert [e.seq for e in store.events(first.id, after_seq=2)] == [3, 4]
    assert store.claim("A", lease_seconds=30).id == second.id  # type: ignore[union-attr]
    assert store.claim("A", lease_seconds=30) is None


def test_expired_lease_is_taken_over_and_gives_up_after_max_attempts(store: JobStore) -> None:
    """Tests that a job whose holder stops renewing moves to another owner, and fails after max_attempts."""
    job, _ = store.create("schedule", {})
    assert store.claim("A", lease_seconds=0.2) is not None
    assert store.claim("B", lease_seconds=0.2) is None  # lease still valid
    time.sleep(0.3)
    taken = store.claim("B", lease_seconds=0.2)
    assert taken is not None and taken.owner == "B" and taken.attempts == 2
    cancel, lost = store.renew([job.id], "A", lease_seconds=5)
    assert lost == {job.id} and not cancel
    time.sleep(0.3)
    assert store.claim("C", lease_seconds=0.2, max_attempts=2) is None
    failed = store.get(job.id)
    assert failed.state == JobState.FAILED and "2 times" in failed.error


def test_requeue_keeps_checkpoint(store: JobStore) -> None:
    """Tests that a requeued job goes back to the queue with its checkpoint."""
    job, _ = store.create("schedule", {})
    store.claim("A", lease_seconds=30)
    assert store.requeue(job.id, "A", checkpoint={"best": 3}, message="shutdown")
    again = store.get(job.id)
    assert again.state == JobState.QUEUED and again.checkpoint == {"best": 3} and again.owner is None


def test_cancel(store: JobStore) -> None:
    """Tests that cancelling a queued job ends it at once and a running one is flagged for its owner."""
    queued, _ = store.create("schedule", {})
    running, _ = store.create("schedule", {})
    store.claim("A", lease_seconds=30)  # the older one
    assert store.request_cancel(queued.id).state == JobState.RUNNING
    assert store.request_cancel(running.id).state == JobState.CANCELLED
    cancel, lost = store.renew([queued.id], "A", lease_seconds=30)
    assert cancel == {queued.id} and not lost
    with pytest.raises(JobNotFound):
        store.request_cancel("nope")


def test_list_pages(store: JobStore) -> None:
    """Tests that pages are newest first, complete and without repeats, and filter by state."""
    ids = [store.create("schedule", {"i": i})[0].id for i in range(7)]
    seen, token = [], ""
    while True:
        page, token = store.list_jobs(page_size=3, page_token=token)
        seen += [j.id for j in page]
        if not token:
            break
    assert seen == ids[::-1]
    store.claim("A", lease_seconds=30)
    assert [j.id for j in store.list_jobs(state=JobState.RUNNING)[0]] == [ids[0]]
    with pytest.raises(ValidationError):
        store.list_jobs(page_token="not-a-token")


def test_concurrent_claims_take_each_job_once(store: JobStore) -> None:
    """Tests that eight threads claiming at once get every one of 30 jobs exactly once."""
    ids = {store.create("schedule", {"i": i})[0].id for i in range(30)}
    claimed: list[str] = []
    lock = threading.Lock()

    def worker(owner: str) -> None:
        while (job := store.claim(owner, lease_seconds=60)) is not None:
            with lock:
                claimed.append(job.id)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == sorted(ids)
