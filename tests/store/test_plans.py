"""Tests that plan versions are durable in the job store's database and shared by every store on it:
versions in order, the latest by default, conflicts instead of lost updates, context fallback, and the
PlanStore interface over one plan; on SQLite and (when reachable) PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect

from planner.planning import Plan, PlanMachine, PlannedOperation, ProductionOrder
from planner.planning.lifecycle import LifecycleError, approve
from planner.store import DbPlanStore, JobStore, PlanConflict, PlanNotFound, PlanRepository
from tests.service.conftest import fresh_pg_url, pg_available

PG_SKIP = pg_available()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        if PG_SKIP:
            pytest.skip(PG_SKIP)
        return fresh_pg_url()
    return f"sqlite:///{tmp_path / 'plans.db'}"


@pytest.fixture
def stores(url: str) -> Iterator[tuple[JobStore, JobStore]]:
    """Two stores on one database, as two servers would open it."""
    first, second = JobStore(url), JobStore(url)
    yield first, second
    first.close()
    second.close()


def small_plan(plan_id: str = "P-1") -> Plan:
    op = PlannedOperation("A/010", 0, "cut", "SAW", 0, 10)
    return Plan(
        plan_id=plan_id,
        time_origin="2026-12-07T06:00:00+01:00",
        machines=(PlanMachine("SAW"),),
        orders=(ProductionOrder("A", "FRAME", 2.0, (op,)),),
    )


def test_migration_creates_the_plans_table(stores: tuple[JobStore, JobStore]) -> None:
    """Tests that opening a store creates the plans table next to the jobs."""
    assert {"plans", "jobs"} <= set(inspect(stores[0].engine).get_table_names())


def test_versions_are_shared_and_never_overwritten(stores: tuple[JobStore, JobStore]) -> None:
    """Tests that a version stored by one store is read by the other, that the latest is the default,
    and that storing an existing version again is a conflict."""
    one, two = PlanRepository(stores[0].engine), PlanRepository(stores[1].engine)
    one.add(small_plan().to_dict(), context={"instance": {"x": 1}}, job_id="J", reason="created")
    store = DbPlanStore(two, "P-1", reason="approve")
    new = store.commit(approve(store.current(), ["A"]))
    assert new.version == 2 and new.previous_version == 1
    assert one.versions("P-1") == [1, 2]
    latest = one.get("P-1")
    assert latest.version == 2 and latest.reason == "approve"
    assert Plan.from_dict(latest.plan).order("A").state == "approved"
    assert one.get("P-1", 1).job_id == "J"
    assert one.context("P-1") == {"instance": {"x": 1}}  # version 2 has none of its own
    with pytest.raises(PlanConflict):
        one.add(new.to_dict())
    with pytest.raises(PlanConflict):  # a writer that read version 1 before the commit above
        DbPlanStore(one, "P-1").save(small_plan().replace(version=2, previous_version=1))
    assert Plan.from_dict(one.get("P-1").plan) == new


def test_unknown_plans_and_versions_are_named(stores: tuple[JobStore, JobStore]) -> None:
    """Tests that an unknown plan id or version raises PlanNotFound naming it (and the stored versions)."""
    repo = PlanRepository(stores[0].engine)
    with pytest.raises(PlanNotFound, match="'nope'"):
        repo.get("nope")
    repo.add(small_plan().to_dict())
    with pytest.raises(PlanNotFound, match=r"no version 3 \(stored: 1\)"):
        repo.get("P-1", 3)
    with pytest.raises(LifecycleError):  # nothing is stored for an illegal change
        store = DbPlanStore(repo, "P-1")
        store.commit(approve(approve(store.current(), ["A"]), ["A"]))
    assert repo.versions("P-1") == [1]
