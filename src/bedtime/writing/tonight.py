"""Tonight's story: pick characters and a scene, ask a writer, check the draft, save it."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from bedtime.core.observability import logger
from bedtime.families.preferences import weights
from bedtime.families.triggers import StoryRequest
from bedtime.providers import KeyMissing, Moderator, ProviderError, StoryWriter
from bedtime.providers.budget import OutOfTime
from bedtime.records.briefs import Draft, StoryBrief
from bedtime.records.catalog import Catalog, Entry
from bedtime.records.families import Family
from bedtime.records.speech import MIN_STORY_WORDS, words_for_minutes
from bedtime.records.stories import LIFETIME, Story, story_id_for
from bedtime.records.story_store import StoryStore
from bedtime.writing.canon import RECALLED_NIGHTS, CanonStore
from bedtime.writing.drafts import Measures, faults, flaws, measure, rewrite_notes


def problems(draft: Draft, brief: StoryBrief) -> list[str]:
    """What is wrong with a draft; empty when it is good enough for tonight."""
    measures = measure(draft, brief)
    return faults(draft, brief, measures) + flaws(measures, brief.listener_age)


def write_checked(
    brief: StoryBrief,
    writers: Sequence[StoryWriter],
    moderator: Moderator | None = None,
    requeue_throttled: bool = False,
) -> tuple[Draft, StoryWriter]:
    """A model's draft that needs no rewrite, or else the model's draft nearest the length
    and grade wanted, from the writers tried in order; each rewrite is told what was
    measured. Only when no model draft is usable (the provider failed, moderation flagged
    it, a character is missing, it is far too short) does the last writer, the offline
    storyteller whose verses we wrote ourselves and which must not fail, tell tonight's
    story. With `requeue_throttled` (a story made from the queue), a throttled writer's
    error is raised when no draft is kept yet, so the request goes back to the queue for
    later instead of being written offline tonight."""
    kept: list[tuple[Draft, StoryWriter, Measures]] = []
    asked = brief
    for writer in writers[:-1]:
        try:
            draft = writer.write(asked)
        except (KeyMissing, OutOfTime) as error:
            _log_no_time_or_key(error, writer)
            break
        except ProviderError as error:
            if error.throttled and requeue_throttled and not kept:
                raise
            _log_writer_failed(error, writer)
            continue
        measures = measure(draft, brief)
        unusable = _unusable(draft, brief, measures, moderator)
        to_fix = unusable + flaws(measures, brief.listener_age)
        if not to_fix:
            return draft, writer
        logger.warning(
            "draft rejected" if unusable else "draft to improve",
            provider=writer.name,
            problems=to_fix,
            extra=measures.log_fields(),
        )
        if not unusable:
            kept.append((draft, writer, measures))
        asked = replace(brief, rewrite=rewrite_notes(measures, to_fix, brief.listener_age))
    if kept:
        draft, writer, measures = min(kept, key=lambda k: k[2].miss)
        logger.info("model draft kept", provider=writer.name, extra=measures.log_fields())
        return draft, writer
    last = writers[-1]
    return last.write(brief), last


def _unusable(
    draft: Draft, brief: StoryBrief, measures: Measures, moderator: Moderator | None
) -> list[str]:
    found = faults(draft, brief, measures)
    if not found and moderator and moderator.flagged(_full_text(draft)):
        found = ["flagged by moderation"]
    return found


def _log_writer_failed(error: ProviderError, writer: StoryWriter) -> None:
    logger.warning(
        "writer failed",
        provider=writer.name,
        error=str(error),
        request_id=error.request_id,
        retryable=error.retryable,
    )


def _log_no_time_or_key(error: ProviderError, writer: StoryWriter) -> None:
    if isinstance(error, KeyMissing):
        logger.error(f"Tonight's story is written offline: {error}. To fix: {error.fix}.")
    else:
        logger.warning("no time left for the writer", provider=writer.name, error=str(error))


def _full_text(draft: Draft) -> str:
    return "\n".join((draft.title, *draft.paragraphs))


def tonights_brief(
    family: Family, catalog: Catalog, canon: CanonStore, rng: random.Random
) -> StoryBrief:
    """Tonight's characters and scene, chosen with the family's ratings and recent nights
    in mind, and what the writer is asked for: length, age, and the last few nights."""
    every_night = tuple(canon.every_night(family.id))  # newest first
    recent = every_night[:RECALLED_NIGHTS]
    chosen = weights(every_night, recent)
    characters, scene = catalog.pick(rng, chosen, family.series_hero or None)
    hero = family.series_hero.casefold()
    return StoryBrief(
        characters,
        scene,
        family.language,
        MIN_STORY_WORDS,
        seed=rng.getrandbits(32),
        target_words=words_for_minutes(family.story_minutes),
        listener_age=family.listener_age,
        canon=recent,
        returning_hero=bool(hero) and characters[0].name.casefold() == hero,
    )


def make_story(
    request: StoryRequest,
    family: Family,
    catalog: Catalog,
    writer: StoryWriter,
    fallback: StoryWriter,
    moderator: Moderator | None,
    store: StoryStore,
    canon: CanonStore,
    now: datetime,
    rng: random.Random | None = None,
    looks: Callable[[tuple[Entry, Entry]], tuple[Entry, Entry]] | None = None,
    requeue_throttled: bool = False,
) -> Story:
    """Tonight's story, saved once. `looks` gives the characters how they are painted
    (bedtime.media.looks), when a model paints them."""
    rng = rng or random.Random()
    brief = tonights_brief(family, catalog, canon, rng)
    if looks:
        brief = replace(brief, characters=looks(brief.characters))
    characters, scene = brief.characters, brief.scene
    draft, used = write_checked(brief, [writer, writer, fallback], moderator, requeue_throttled)
    story = Story(
        id=story_id_for(request.idempotency_key),
        family=family.id,
        night=request.night(family.time_zone),
        deliver_at=request.bedtime,
        title=draft.title,
        paragraphs=draft.paragraphs,
        characters=tuple(c.name for c in characters),
        scene=scene.name,
        cast=tuple(characters),
        setting=scene,
        provider=used.name,
        model=used.model,
        created_at=now,
        expires_at=int((now + LIFETIME).timestamp()),
    )
    if not store.add(story):
        logger.info("story already saved by an earlier attempt", story_id=story.id)
        return store.get(story.id)
    canon.record(story, draft.summary, draft.motifs)
    logger.info(
        "story saved",
        story_id=story.id,
        night=str(story.night),
        provider=used.name,
        source=_source(used, writer, fallback),
        extra=measure(draft, brief).log_fields(),
    )
    return story


def _source(used: StoryWriter, writer: StoryWriter, fallback: StoryWriter) -> str:
    """Whose story the family got: "offline-fallback" counts the nights a model's was not
    used (README, "Which story a child hears")."""
    if used is fallback and writer is not fallback:
        return "offline-fallback"
    return "offline" if used.name == "offline" else "model"
