"""When each family's story is made and delivered, and how much each provider can take.

Pure arithmetic: no AWS, no clock. The cloud side (the tick, stage queue caps) and
`make simulate` both plan with it, so the simulation cannot drift from the functions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

from bedtime.records.speech import words_for_minutes

# An SQS event source mapping's ScalingConfig.MaximumConcurrency must be 2..1000
# (CloudFormation reference, AWS::Lambda::EventSourceMapping ScalingConfig).
MIN_CONCURRENCY = 2
MAX_CONCURRENCY = 1000
DEFAULT_LEAD = timedelta(hours=3)  # template.yaml's LeadHours default
DEFAULT_STORY_MINUTES = 6.0  # template.yaml's StoryMinutes default
# The largest clock change in the time zone database (two hours, e.g. double summer
# time): a bedtime in a gap falls at most this long after the jump.
CLOCK_CHANGE_REACH = timedelta(hours=2)
# About how long the image provider takes for one picture (docs/cost.md): a model
# picture started closer to bedtime than this would come after the offline one.
MODEL_PICTURE_TAKES = timedelta(minutes=1)
# Measured on the offline storyteller's stories: about 5.2 characters a word, letters,
# space and punctuation together (a 6-minute story: ~690 words, ~3,570 characters).
CHARACTERS_PER_WORD = 5.2
# Each Polly request carries at most 2,800 billed characters (providers/polly.py), and
# each chunk is asked twice: once for the audio and once for the line marks.
POLLY_CHARACTERS_PER_CHUNK = 2800
POLLY_REQUESTS_PER_CHUNK = 2


def bedtime_instant(zone: ZoneInfo, bedtime: time, night: date) -> datetime:
    """The UTC instant of `bedtime` on the local date `night` in `zone`.

    Clock changes follow PEP 495's fold=0, the rule zoneinfo applies:
    - a bedtime that does not exist that night (the clocks jump over it) is read with the
      offset from before the jump, so it lands as far after the jump as it was after the
      old hour: 02:30 on a night when 02:00 becomes 03:00 is delivered at 03:30. It is
      never skipped (EventBridge Scheduler skips a cron time in a gap, so the cloud side
      must not rely on the cron alone for such a time);
    - a bedtime that happens twice (the clocks go back over it) is the first of the two.
    Bedtimes between 18:30 and 20:30 meet neither in today's time zone database: clocks
    change at night.
    """
    local = datetime.combine(night, bedtime.replace(tzinfo=None, fold=0), tzinfo=zone)
    return local.astimezone(UTC)


@dataclass(frozen=True)
class NightPlan:
    """One family's story for one night: made at `make_at`, delivered at `deliver_at`."""

    family: str
    night: date
    make_at: datetime
    deliver_at: datetime


def plan_night(
    family: str, zone: ZoneInfo, bedtime: time, night: date, lead: timedelta
) -> NightPlan:
    """make_at is exactly `lead` before bedtime; for an early bedtime or a long lead it
    falls on the previous local day (the story for the night of the 2nd, bedtime 01:00,
    lead 3 h, is made at 22:00 on the 1st)."""
    deliver_at = bedtime_instant(zone, bedtime, night)
    return NightPlan(family, night, deliver_at - lead, deliver_at)


def bedtimes_between(
    zone: ZoneInfo, bedtime: time, start: datetime, end: datetime
) -> list[datetime]:
    """Each instant of `bedtime` in `zone` with start < instant <= end (UTC), night by
    night, as bedtime_instant reads a clock change."""
    nights = (end.astimezone(zone).date() - start.astimezone(zone).date()).days
    first = start.astimezone(zone).date() - timedelta(days=1)
    return [
        instant
        for day in range(nights + 3)
        if start < (instant := bedtime_instant(zone, bedtime, first + timedelta(days=day))) <= end
    ]


def clock_ranges(zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[time, time]]:
    """The local clock times (inclusive ranges) that a bedtime in (start, end] can have in
    `zone`: the key ranges of the tick's query. Near a clock change (within
    CLOCK_CHANGE_REACH before the window) the range starts earlier by the change, so a
    bedtime the clocks jumped over, read as falling after the jump, is found too.
    bedtimes_between then says which really fall in the window."""
    if end - start >= timedelta(hours=23):
        return [(time(0, 0), time(23, 59))]
    first, last = start.astimezone(zone), end.astimezone(zone)
    before = (start - CLOCK_CHANGE_REACH).astimezone(zone).utcoffset() or timedelta(0)
    change = abs((last.utcoffset() or timedelta(0)) - before)
    first = first.replace(tzinfo=None) - change
    if first.date() == last.date():
        return [(first.time(), last.time())]
    return [(first.time(), time(23, 59, 59)), (time(0, 0), last.time())]


def stage_concurrency(per_second: float, seconds_per_call: float) -> int:
    """How many calls a stage may have in flight: Little's law, L = λ·W, rounded down so
    the cap's steady rate (cap ÷ seconds per call) never asks for more than the limit,
    then clamped to what an event source mapping accepts (2..1000). Below 2 the stage
    would ask for more than its limit; its throttles go back to the queue with backoff."""
    wanted = math.floor(per_second * seconds_per_call + 1e-9)
    return max(MIN_CONCURRENCY, min(MAX_CONCURRENCY, wanted))


def story_characters(minutes: float) -> int:
    """About how many characters a story of this many minutes read aloud has."""
    return round(words_for_minutes(minutes) * CHARACTERS_PER_WORD)


def polly_requests(characters: int) -> int:
    """SynthesizeSpeech requests for a story: an audio and a mark request per chunk."""
    return POLLY_REQUESTS_PER_CHUNK * max(1, math.ceil(characters / POLLY_CHARACTERS_PER_CHUNK))


@dataclass(frozen=True)
class ProviderLimit:
    """One making stage's provider: its rate limit, and what a story asks of it."""

    provider: str
    per_second: float  # the steady rate the provider allows, in calls a second
    burst: float  # calls it lets through at once after a quiet spell
    seconds_per_call: float  # typical time one call takes
    calls_per_story: int
    parameter: str  # the template parameter that holds the stage's queue cap

    @property
    def concurrency(self) -> int:
        return stage_concurrency(self.per_second, self.seconds_per_call)

    @property
    def per_minute(self) -> float:
        return self.per_second * 60


# Today's defaults. OpenAI counts its limits per minute but may enforce them over shorter
# windows (its rate-limits guide), so its buckets hold about ten seconds' worth, at least 1.
PROVIDER_LIMITS: Mapping[str, ProviderLimit] = MappingProxyType(
    {
        # OpenAI gpt-6.1-terra (the default StoryModel): planned on the Tier-1 limits read
        # for gpt-5-mini, its predecessor, 500 requests and 500,000 tokens a minute (the
        # model page's rate-limit table); the new page's were not read (docs/decisions.md).
        # A story is one request of ~2,500 tokens (~500 in, ~2,000 out with reasoning;
        # docs/cost.md), a second one when a draft fails its checks; moderation has limits
        # of its own. 60 a minute plans on 150,000 tokens a minute, under a third of Tier 1,
        # leaving room for redrafts. ~20 s a story.
        "writing": ProviderLimit(
            "OpenAI gpt-6.1-terra", 60 / 60, 10, 20.0, 1, "WritingConcurrency"
        ),
        # OpenAI gpt-image-2.6-flare (the default ImageModel): planned on gpt-image-1-mini's
        # Tier 1, about 5 images a minute (the model page's rate-limit table). ~40 s a picture.
        "painting": ProviderLimit(
            "OpenAI gpt-image-2.6-flare", 5 / 60, 1, 40.0, 1, "PaintingConcurrency"
        ),
        # Amazon Polly neural voices: SynthesizeSpeech 8 requests a second, burst 10, at
        # most 18 at once, per account and region (Amazon Polly developer guide, "Quotas
        # in Amazon Polly", read 2026-12-03). A narration asks one at a time, so the cap
        # (12) is also how many are in flight. ~1.5 s a request; a 6-minute story is
        # ~3,570 characters, 2 chunks, 4 requests.
        "narrating": ProviderLimit(
            "Amazon Polly neural",
            8.0,
            10,
            1.5,
            polly_requests(story_characters(DEFAULT_STORY_MINUTES)),
            "NarratingConcurrency",
        ),
    }
)
