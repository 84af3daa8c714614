"""CPU per warm story page in processes of its own, as Lambda runs the web function: the
built artifact's handler in a fresh Python 3.13, warmed by a few pages, then pages and
bare GetItems of the same story timed by the whole process's CPU. In the bench's own
process the page shares a heap with moto and every other function's modules, and the
garbage collector's passes over them were a sixth of the page.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bedtime.core.settings import READER_KEYS_SECONDS

WARM = """
import json, os, time
from bedtime.handlers.web import handler
from bedtime.site.light_aws import light_client
event = json.loads(os.environ["EVENT"])
dynamodb = light_client("dynamodb")
key = {"id": {"S": os.environ["STORY"]}}
per_round = int(os.environ["PAGES"]) // 5

def page():
    assert handler(event, None)["statusCode"] == 200

def bare():
    dynamodb.get_item(TableName=os.environ["STORIES_TABLE"], Key=key, ConsistentRead=True)

def cpu_ms(action):
    # the least of five rounds: a busy machine lengthens a round, never shortens it
    rounds = []
    for _ in range(5):
        started = time.process_time()
        for _ in range(per_round):
            action()
        rounds.append((time.process_time() - started) * 1000 / per_round)
    return min(rounds)

for _ in range(20):
    page()
    bare()
print(json.dumps({"page": cpu_ms(page), "bare": cpu_ms(bare)}))
"""


# A process's CPU per page varies by a third between fresh processes on this VM, each
# steady within itself: the bench tells the median process, and the spread.
PROCESSES = 5


@dataclass(frozen=True)
class WarmCpu:
    page_ms: float  # the median process's
    bare_ms: float
    page_range: tuple[float, float]  # the least and the most of the processes


def warm_page_cpu(
    python: str, artifact: Path, host_site: Path, event: dict, story_id: str, pages: int
) -> WarmCpu:
    """As deployed: the family's reader key remembered for READER_KEYS_SECONDS (the local
    run rereads it every page, so `make new-secret` bites at once there), and the web's
    dependencies built for this machine (`host_site`) ahead of the artifact's: the arm64
    artifact's markupsafe cannot load its compiled escaping here, and Lambda's would."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env |= {
        "EVENT": json.dumps(event),
        "STORY": story_id,
        "PAGES": str(pages),
        "READER_KEYS_SECONDS": str(READER_KEYS_SECONDS),
        "PYTHONPATH": os.pathsep.join([str(host_site), str(artifact)]),
    }
    pages_ms, bares_ms = [], []
    for _ in range(PROCESSES):
        done = subprocess.run(
            [python, "-S", "-c", WARM], env=env, check=True, capture_output=True, text=True
        )
        measured = json.loads(done.stdout)
        pages_ms.append(measured["page"])
        bares_ms.append(measured["bare"])
    return WarmCpu(
        statistics.median(pages_ms),
        statistics.median(bares_ms),
        (min(pages_ms), max(pages_ms)),
    )
