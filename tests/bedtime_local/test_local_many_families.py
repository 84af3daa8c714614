"""Three families on one laptop, started again and again: the local run makes every
family's story and stops when asked, however the native engines' first calls overlap.
(`make bench` times the stop; here a stop that hangs past STOP_WAIT_SECONDS fails.)"""

from __future__ import annotations

import pytest

from bedtime_bench.bench_stop import FAMILIES, start_and_stop, three_families

pytestmark = pytest.mark.slow

STARTS = 10


def test_three_families_started_ten_times_give_thirty_stories_and_stop_each_time(
    tmp_path,
) -> None:
    catalog = three_families(tmp_path / "families.json")
    stories = 0
    for start in range(STARTS):
        workdir = tmp_path / f"start-{start}"
        workdir.mkdir()
        done = start_and_stop(workdir, catalog)
        assert sorted(done.ready) == sorted(FAMILIES), f"start {start}:\n{done.output[-3000:]}"
        assert done.code == 0, f"start {start} ended with {done.code}:\n{done.output[-3000:]}"
        stories += len(done.ready)
    assert stories == STARTS * len(FAMILIES)
