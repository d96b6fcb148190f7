"""The jobs the gateway keeps (``gateway_jobs``) on each backend: a tenant reads its own
job and nobody else's, a status read updates what is kept, and the row survives as the
answer a finished job is read back from."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from radiant.errors import NotFoundError
from radiant.gateway.jobs import Job, JobStore, new_job_id


def _job(tenant: str, kind: str = "videos") -> Job:
    job_id = new_job_id(kind)
    return Job(
        job_id,
        tenant,
        kind,
        "req-1",
        "luma-ray-2",
        "luma-ray-2",
        "luma-ray-2@direct",
        "upstream-7",
        "queued",
        {"id": job_id, "object": "video", "status": "queued"},
    )


def test_a_job_is_read_by_its_tenant_alone(migrated: Engine) -> None:
    store = JobStore(migrated)
    mine = _job("tenant-a")
    store.add(mine)
    assert mine.id.startswith("video_") and len(mine.id) == len("video_") + 24
    assert store.get("tenant-a", "videos", mine.id) == mine
    with pytest.raises(NotFoundError):
        store.get("tenant-b", "videos", mine.id)  # another tenant: as if there were none
    with pytest.raises(NotFoundError):
        store.get("tenant-a", "3d", mine.id)  # not a 3D job
    done = store.update(mine, "completed", {**mine.body, "status": "completed"})
    assert store.get("tenant-a", "videos", mine.id) == done
    assert done.status == "completed" and done.upstream_id == "upstream-7"


def test_ids_are_ours_and_do_not_repeat() -> None:
    ids = {new_job_id("3d") for _ in range(1000)}
    assert len(ids) == 1000 and all(i.startswith("3d_") for i in ids)
