"""`make run`: the whole system on this machine, wired as template.yaml wires it in AWS."""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from bedtime import services
from bedtime.core import clock
from bedtime.core.settings import settings
from bedtime.families.enrolment import enrol
from bedtime.families.family_file import FamilyCatalog, load_families
from bedtime.records.catalog import DEFAULT_CATALOG
from bedtime.records.families import FamilyStore, home_from_parameters
from bedtime.records.stories import HOME
from bedtime.records.story_store import StoryStore
from bedtime_local import snapshot
from bedtime_local.endpoint import local_client
from bedtime_local.function_url import FunctionUrlServer
from bedtime_local.functions import (
    LocalFunction,
    environment,
    functions,
    queue_sources,
    stream_sources,
)
from bedtime_local.invoker import Invoker, Stage, Timeline
from bedtime_local.loops import Loops
from bedtime_local.moto_server import KeptAliveMotoServer
from bedtime_local.outbox import Email, file_email, take_sent, with_an_address
from bedtime_local.pipe import LocalPipe
from bedtime_local.queues import QueueConsumer
from bedtime_local.scheduler import LocalScheduler, template_schedules
from bedtime_local.stack import ACCOUNT, LocalStack, Rule, create_stack
from bedtime_local.state import OUTPUTS, STATE_DIR, run_state_file, write_private
from bedtime_local.streams import StreamReader, deliver_records
from bedtime_local.template import TEMPLATE, load_template, resources, template_resolver
from bedtime_local.tonight import (
    bring_forward,
    story_id_of,
    story_link,
    tonights_make,
    written_tonight,
)

# botocore's service ids, as its AWS_ENDPOINT_URL_<ID> variables spell them
LOCAL_SERVICES = (
    "DYNAMODB",
    "DYNAMODB_STREAMS",
    "S3",
    "SNS",
    "SQS",
    "EVENTBRIDGE",
    "SECRETS_MANAGER",
    "SESV2",
)
SEEDED = "seeded.json"  # in the kept state: each family's catalog entry as last seeded
STOPPING_SWITCH_SECONDS = 0.0002
# How long a start waits for tonight's story to be saved before leaving it to its bedtime
SAVED_WITHIN_SECONDS = 600
# The home family's address locally (the template's NotificationEmail is empty by default)
LOCAL_HOME_ADDRESS = "parent@example.com"
# Settings a user may set in the environment to override the template's defaults locally
USER_SETTINGS = (
    "STORY_MODEL",
    "IMAGE_MODEL",
    "IMAGE_QUALITY",
    "SPEECH_VOICE",
    "STORY_LANGUAGE",
    "OPENAI_BASE_URL",
    "BEDROCK_TEXT_MODEL",
    "BEDROCK_IMAGE_MODEL",
)


def local_environment(base: Mapping[str, str], endpoint: str) -> dict[str, str]:
    """Point AWS clients at the local endpoint; pick providers that work here."""
    env = {f"AWS_ENDPOINT_URL_{service}": endpoint for service in LOCAL_SERVICES}
    has_aws_credentials = "AWS_ACCESS_KEY_ID" in base or "AWS_PROFILE" in base
    if not has_aws_credentials:  # moto takes any key; real ones are kept for Polly
        env |= {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
    env["AWS_DEFAULT_REGION"] = base.get("AWS_DEFAULT_REGION", "us-east-1")
    env["POWERTOOLS_LOG_LEVEL"] = base.get("LOG_LEVEL", "WARNING")
    env["READER_KEYS_SECONDS"] = "0"  # `make new-secret` takes effect at once here
    env["SITE_SCHEME"] = "http"  # the local site's own: its cookies cannot be Secure
    default = "openai" if base.get("OPENAI_API_KEY") else "offline"
    env["STORY_PROVIDER"] = base.get("STORY_PROVIDER", default)
    env["IMAGE_PROVIDER"] = base.get("IMAGE_PROVIDER", default)
    voice = base.get("SPEECH_PROVIDER", "offline")
    env["SPEECH_PROVIDER"] = "offline" if voice == "polly" and not has_aws_credentials else voice
    env |= {name: base[name] for name in USER_SETTINGS if base.get(name)}
    return env


class LocalRun:
    def __init__(
        self,
        catalog: Path = DEFAULT_CATALOG,
        port: int = 3000,
        template_path: Path = TEMPLATE,
        state_dir: Path = STATE_DIR,
        parameters: Mapping[str, str] | None = None,
        say: Callable[[str], None] = print,
        clock_speed: float = 1.0,
    ) -> None:
        self.template = load_template(template_path)
        parameters = {"NotificationEmail": LOCAL_HOME_ADDRESS, **(parameters or {})}
        self.resolver = template_resolver(self.template, parameters)
        home = home_from_parameters(self.resolver.parameters)
        self.families: tuple[FamilyCatalog, ...] = tuple(
            with_an_address(entry) for entry in load_families(catalog, home)
        )
        self.port = port
        self.state_dir = state_dir
        self.outbox = state_dir / "outbox"
        self.say = say
        self.clock_speed = clock_speed
        self.timeline = Timeline(say)
        self.functions: dict[str, LocalFunction] = functions(self.template)
        self.ready: list[dict] = []
        self._ready_changed = threading.Condition()
        self.loops = Loops(say)
        self.invoker = Invoker(self.functions, self.timeline, say, self._send_failure)
        self._moto = KeptAliveMotoServer()
        self.web: FunctionUrlServer | None = None
        self.stack: LocalStack | None = None
        self._saved_environment: dict[str, str] | None = None
        self._state_written = False
        self._fingerprints: dict[str, str] = {}  # each catalog family as it was seeded

    # --- lifecycle ---------------------------------------------------------
    def start(self) -> None:
        started = time.monotonic()
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request lines
        self.web = FunctionUrlServer(self._serve_web, self.port)
        self.port = self.web.httpd.server_address[1]
        self._start_moto()
        self.resolver.attributes["WebFunctionUrl.FunctionUrl"] = self.web.url
        self.stack = create_stack(self.template, self.resolver, self._client)
        self.pipe = LocalPipe.from_template(
            self.template, self.resolver, next(iter(resources(self.template, "AWS::Pipes::Pipe")))
        )
        self._set_environment()
        restored = self._restore()
        self.control_queue = self._client("sqs").create_queue(QueueName="local-make-story")[
            "QueueUrl"
        ]
        self._write_state()
        self._seed(restored)
        self.web.start()
        self._start_loops()
        self.say(
            f"Local stack ready in {time.monotonic() - started:.1f} s:"
            f" AWS endpoint {self.endpoint}, site {self.web.url}"
            f" (providers: story {os.environ['STORY_PROVIDER']},"
            f" picture {os.environ['IMAGE_PROVIDER']}, voice {os.environ['SPEECH_PROVIDER']})"
            + (f"; {restored} items kept from the last run" if restored else "")
        )

    def keep_schedule(self) -> None:
        """Fire the template's schedule (the tick) on the local clock, which from now on
        runs `clock_speed` times faster (CLOCK_SPEED)."""
        if self.clock_speed != 1:
            os.environ[clock.VARIABLE] = clock.fast_clock(self.clock_speed)
        scheduler = LocalScheduler(template_schedules(self.template), self.invoker.tick, clock.now)
        self.loops.every(1.0, scheduler.tick, "scheduler")
        for entry in self.families:
            family = entry.family
            self.say(f"Family {family.id}: bedtime {family.bedtime:%H:%M} ({family.time_zone.key})")

    def stop(self) -> None:
        """Within about a second: the loops see the stop at their next poll and are not
        waited for, and invocations still running are left to die with the process, as
        Lambda would stop them. The tables and media are kept for the next run."""
        self.loops.stopping.set()
        if self.web:
            self.web.stop()
        if self.stack:
            with prompt_handovers():
                self._keep()
            self._moto.stop()
        if self._state_written:  # a run that could not start leaves another run's file be
            run_state_file(self.port, self.state_dir).unlink(missing_ok=True)
        if self._saved_environment is not None:
            os.environ.clear()
            os.environ.update(self._saved_environment)
            services.clear()

    @property
    def web_address(self) -> tuple[str, int]:
        if self.web is None:
            raise RuntimeError("the local run has not started")
        host, port = self.web.httpd.server_address[:2]
        return str(host), int(port)

    # --- requests ---------------------------------------------------------
    def request_story(self, event: dict | None = None, family: str = HOME) -> Any:
        """A story now (as `make story` asks), made in this thread."""
        event = event or {"trigger": "manual", "family": family, "requestId": str(uuid.uuid4())}
        return self.invoker.invoke("CreateStoryFunction", event)

    def start_tonights_stories(self) -> None:
        """Tonight's story for each family, side by side (bedtime_local.tonight)."""
        for family in self.family_ids():
            threading.Thread(target=self.tonights_story, args=(family,), daemon=True).start()

    def tonights_story(self, family_id: str) -> None:
        """The family's story for tonight: its link again when it has one, else tonight's
        own story written now and emailed as soon as it is ready."""
        dynamodb = self._client("dynamodb")
        family = FamilyStore(dynamodb, self.resolver.names["FamiliesTable"]).get(family_id)
        store = StoryStore(dynamodb, self.resolver.names["StoriesTable"])
        now = clock.now()
        written = written_tonight(store, family, now)
        if written and not written.ready_at:
            self.say(f"Family {family.id}: finishing the picture and voice of tonight's story")
            self._created_again(written.id)
        if written:
            link = story_link(
                dynamodb,
                self.resolver.names["FamiliesTable"],
                self.web.url if self.web else "",
                self.resolver.parameters["Privacy"] == "private",
                written,
            )
            self.say(f"Family {family.id} has tonight's story already, {written.title!r}:")
            self.say(f"Story ready: {link}")
            return
        make = tonights_make(family, now, settings().lead)
        self._client("sqs").send_message(
            QueueUrl=self.resolver.names["WritingQueue"], MessageBody=json.dumps(make.message)
        )
        story_id = story_id_of(make, now, settings().lead)
        stopping = self.loops.stopping
        saved = bring_forward(store, story_id, clock.now, stopping.wait, SAVED_WITHIN_SECONDS)
        if not saved and not stopping.is_set():
            self.say(f"Family {family.id}: tonight's story is not written yet; it comes at bedtime")

    def family_ids(self) -> list[str]:
        """Every family this run serves: the catalog's, and those kept from the last run."""
        families = FamilyStore(self._client("dynamodb"), self.resolver.names["FamiliesTable"])
        return [family.id for family in families.all()]

    def wait_for_ready(self, count: int = 1, timeout: float = 120) -> list[dict]:
        """The emails sent so far, once there are `count` of them."""
        with self._ready_changed:
            if not self._ready_changed.wait_for(lambda: len(self.ready) >= count, timeout):
                raise TimeoutError(f"fewer than {count} emails within {timeout:.0f} s")
            return list(self.ready)

    # --- set-up -------------------------------------------------------------
    def _start_moto(self) -> None:
        self._moto.start()
        host, port = self._moto.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        # moto keeps one account per process: start from an empty one every run
        connection = http.client.HTTPConnection(host, port, timeout=10)
        connection.request("POST", "/moto-api/reset")
        connection.getresponse().read()
        connection.close()

    def _set_environment(self) -> None:
        chosen_by_user = self._saved_environment = dict(os.environ)
        os.environ.update(environment(self.template, self.resolver))
        os.environ.update(local_environment(chosen_by_user, self.endpoint))
        # Locally, the OpenAI key comes from the environment, not Secrets Manager
        os.environ.pop("OPENAI_API_KEY_SECRET", None)
        services.clear()

    def _client(self, service: str) -> Any:
        return local_client(service, self.endpoint)

    def _send_failure(self, body: str) -> None:
        queue = self.resolver.names["FailuresQueue"]
        self._client("sqs").send_message(QueueUrl=queue, MessageBody=body)

    def _tables(self) -> list[str]:
        return [
            self.resolver.names[name] for name in resources(self.template, "AWS::DynamoDB::Table")
        ]

    @property
    def keeps_state(self) -> bool:
        """A run on a fast clock (CLOCK_SPEED) starts empty and keeps nothing: its
        stories are for nights that have not come, and must not spend or stand in for
        the real ones of the next `make run`."""
        return self.clock_speed == 1

    def _restore(self) -> int:
        if not self.keeps_state:
            return 0
        return snapshot.restore(
            self.state_dir / "state",
            self._client("dynamodb"),
            self._client("s3"),
            self._tables(),
            self.resolver.names["MediaBucket"],
        )

    def _keep(self) -> None:
        if not self.keeps_state:
            return
        try:
            snapshot.save(
                self.state_dir / "state",
                self._client("dynamodb"),
                self._client("s3"),
                self._tables(),
                self.resolver.names["MediaBucket"],
                self.resolver.names["IdempotencyTable"],
            )
            write_private(self.state_dir / "state" / SEEDED, json.dumps(self._fingerprints))
        except Exception as error:  # keeping is a courtesy: stopping must still stop
            self.say(f"Could not keep this run's stories: {error!r}")

    def _seed(self, restored: int) -> None:
        """The catalog file's families, except one kept from the last run whose entry in
        the file has not changed since it was seeded: what `make family ADD=` changed in it
        stays. A family whose entry in the file changed is seeded again."""
        dynamodb = local_client("dynamodb", self.endpoint)
        private = self.resolver.parameters["Privacy"] == "private"
        seeded = self.state_dir / "state" / SEEDED
        before = json.loads(seeded.read_text()) if restored and seeded.exists() else {}
        now = {entry.family.id: _fingerprint(entry) for entry in self.families}
        kept = [
            entry for entry in self.families if before.get(entry.family.id) == now[entry.family.id]
        ]
        for entry in self.families:
            if entry not in kept:
                enrol(dynamodb, self.resolver.names, entry, private)
        self._fingerprints = now
        fresh = [entry.summary for entry in self.families if entry not in kept]
        if fresh:
            self.say("Families seeded: " + ", ".join(fresh))
        if kept:
            names = ", ".join(entry.family.id for entry in kept)
            self.say(f"Families kept as the last run left them: {names} (the file has not changed)")

    def _write_state(self) -> None:
        """What `make story` and `make smoke` need to find this run (by its port)."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        names = {  # what a deployed stack's outputs name (state.OUTPUTS)
            logical: self.resolver.names[logical]
            for logical in OUTPUTS.values()
            if logical in self.resolver.names
        }
        names["SiteUrl"] = self.web.url if self.web else ""
        state = {
            "endpoint": self.endpoint,
            "controlQueue": self.control_queue,
            "pid": os.getpid(),
            "names": names,
            "private": self.resolver.parameters["Privacy"] == "private",
            "parameters": dict(self.resolver.parameters),
            # what this run's functions see, for `make invoke` (sam local invoke)
            "environment": {
                key: os.environ.get(key, "") for key in environment(self.template, self.resolver)
            },
        }
        run_state_file(self.port, self.state_dir).write_text(json.dumps(state))
        self._state_written = True

    # --- the loops ------------------------------------------------------------
    def _start_loops(self) -> None:
        assert self.stack is not None, "the stack is made first"
        streams = self._client("dynamodbstreams")
        sqs = partial(self._client, "sqs")  # a client per loop: each holds a long poll open
        pipe_reader = StreamReader(streams, self.stack.stream_arn, from_start=False)
        pump_pipe = partial(self._pump_pipe, pipe_reader, self._client("events"))
        self.loops.every(0.25, pump_pipe, "pipe")
        for source in stream_sources(self.template):
            reader = StreamReader(streams, self.stack.streams[source.table], from_start=True)
            self.loops.every(
                0.25, partial(self._pump_function, reader, source.function), source.function
            )
        for rule in self.stack.rules:
            if rule.queue_url:
                self.loops.drain(sqs(), rule.queue_url, partial(self._deliver, rule), rule.name)
        for queue in queue_sources(self.template, self.resolver):
            consumer = QueueConsumer(
                sqs(),
                self.resolver.names[queue.queue],
                self.resolver.attributes[f"{queue.queue}.Arn"],
                partial(self.invoker.invoke, queue.function),
                queue.batch_size,
                queue.max_concurrency,
                self.loops.error,
            )
            self.loops.spawn(partial(consumer.poll, self.loops.stopping), queue.queue)
        self.loops.drain(sqs(), self.control_queue, self._asked_for, "make-story")
        self.loops.every(0.25, self._collect_emails, "outbox")

    # --- streams: the pipe, and functions' stream event sources --------------
    def _pump_pipe(self, reader: StreamReader, events: Any) -> None:
        bus = self.pipe.bus(self.resolver)
        for record in reader.read():
            try:
                detail = self.pipe.forward(record, events, bus)
            except Exception as error:  # the cloud pipe would retry, then dead-letter
                self.say(f"  {self.pipe.name} could not forward a record: {error!r}")
                self.invoker.record_failure(self.pipe.name, record, error)
                continue
            if detail is not None:
                story_id = detail.get("storyId") if isinstance(detail, dict) else None
                now = time.monotonic()
                self.timeline.record(Stage(self.pipe.name, story_id, now, now, "sent"))

    def _created_again(self, story_id: str) -> None:
        """Announce a story as the pipe did when it was saved: the last run stopped before
        its picture and narration were done (each is made once; StoryReady follows)."""
        item = self._client("dynamodb").get_item(
            TableName=self.resolver.names["StoriesTable"], Key={"id": {"S": story_id}}
        )["Item"]
        record = {"eventName": "INSERT", "dynamodb": {"Keys": {"id": item["id"]}, "NewImage": item}}
        self.pipe.forward(record, self._client("events"), self.pipe.bus(self.resolver))

    def _pump_function(self, reader: StreamReader, function: str) -> None:
        invoke = partial(self.invoker.invoke, function)
        deliver_records(reader.read(), invoke, partial(self.invoker.record_failure, function))

    # --- rules to functions: bus → SQS (moto matches the pattern) → invoke ---
    def _deliver(self, rule: Rule, message: dict) -> None:
        event = json.loads(message["Body"])
        self.invoker.invoke_async(rule.target, event, event.get("detail", {}).get("storyId"))

    # --- the families' emails -------------------------------------------------
    def _collect_emails(self) -> None:
        for email in take_sent(ACCOUNT, os.environ["AWS_DEFAULT_REGION"]):
            self._show_email(email)

    def _show_email(self, email: Email) -> None:
        file_email(self.outbox, email)
        self.say(f"\n--- email to family {email.family} ({email.to}) " + "-" * 20)
        self.say(f"Subject: {email.subject}\n\n" + email.body.strip() + "\n" + "-" * 64)
        self.say(f"Story ready: {email.link}")
        with self._ready_changed:
            self.ready.append(
                {
                    "family": email.family,
                    "storyId": email.story_id,
                    "url": email.link,
                    "late": email.late,
                    "to": email.to,
                }
            )
            self._ready_changed.notify_all()

    # --- `make story` -------------------------------------------------------
    def _asked_for(self, message: dict) -> None:
        self.say("A story was asked for (make story)")
        self.invoker.invoke_async("CreateStoryFunction", json.loads(message["Body"]))

    # --- the web function behind its function URL ----------------------------
    def _serve_web(self, event: dict) -> dict:
        return self.functions["WebFunction"].invoke(event)


@contextmanager
def prompt_handovers() -> Iterator[None]:
    """Each of the save's requests to moto waits for the interpreter's lock at every
    socket call, behind invocations still writing stories in pure Python: handed over
    every 5 ms (the default), a save of under a second took several."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(STOPPING_SWITCH_SECONDS)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def _fingerprint(entry: FamilyCatalog) -> str:
    return hashlib.sha256(repr(entry).encode()).hexdigest()
