"""Stories a child asks for again: tonight's choice remembers the family's nights and
ratings, the brief carries length, age and canon, a model keeps each character looking
the same, and the page takes the family's word."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import date

import pytest

from bedtime import services
from bedtime.families.preferences import weights
from bedtime.handlers import create_story, illustrate, web
from bedtime.providers.polly import chunks, ssml
from bedtime.records.briefs import Draft, PastNight, StoryBrief
from bedtime.records.catalog import parse_catalog
from bedtime.records.speech import spoken_lines, words_for_minutes
from bedtime.writing.tonight import problems, write_checked
from bedtime_local.function_url import function_url_event
from fake_openai import FakeOpenAI, Reply, completion
from helpers import SAMPLE_STORY_ID, reader_cookie, sample_event, story_record

CATALOG = parse_catalog(
    {
        "characters": [
            {"name": "Pip", "description": "a small brave hedgehog"},
            {"name": "Luna", "description": "a wise old owl"},
            {"name": "Bo", "description": "a sleepy bear"},
            {"name": "Mo", "description": "a curious fox"},
        ],
        "scenes": [
            {"name": "Moonlit Bay", "description": "a calm beach"},
            {"name": "Snowy Hill", "description": "a hill deep in snow"},
        ],
    }
)


TWO = parse_catalog(
    {
        "characters": [
            {"name": c.name, "description": c.description} for c in CATALOG.characters[:2]
        ],
        "scenes": [{"name": "Moonlit Bay", "description": "a calm beach"}],
    }
)


def night(characters: tuple[str, ...], scene: str, rating: int = 0, day: int = 1) -> PastNight:
    return PastNight(date(2026, 11, day), "A title", "A summary.", characters, scene, (), rating)


def picks(chosen: dict[str, float], nights: int = 100, hero: str | None = None) -> Counter:
    rng, seen = random.Random(7), Counter()
    for _ in range(nights):
        (first, second), scene = CATALOG.pick(rng, chosen, hero)
        seen.update([first.name, second.name, scene.name])
    return seen


# --- choosing -------------------------------------------------------------------------
def test_a_loved_character_is_chosen_more_often_over_100_nights() -> None:
    plain = picks({})
    loved = picks(weights([night(("Bo", "Luna"), "Moonlit Bay", rating=1)] * 2, []))
    assert loved["Bo"] > plain["Bo"] + 15
    disliked = picks(weights([night(("Bo", "Mo"), "Snowy Hill", rating=-1)] * 2, []))
    assert disliked["Bo"] < plain["Bo"] - 15 and disliked["Snowy Hill"] < plain["Snowy Hill"]


def test_the_last_nights_scene_rests() -> None:
    recent = [night(("Pip", "Luna"), "Snowy Hill")]
    seen = picks(weights(recent, recent))
    assert seen["Moonlit Bay"] > 2 * seen["Snowy Hill"]


def test_a_series_hero_returns_every_night() -> None:
    rng = random.Random(1)
    for _ in range(30):
        (first, second), _ = CATALOG.pick(rng, {}, "luna")
        assert first.name == "Luna" and second.name != "Luna"


# --- what the writer is asked for -----------------------------------------------------
def brief(**changes) -> StoryBrief:
    base = StoryBrief(CATALOG.characters[:2], CATALOG.scenes[0], "en", 200, seed=1)
    return StoryBrief(**{**base.__dict__, **changes})


def test_a_draft_far_shorter_than_the_minutes_wanted_is_rejected() -> None:
    wanted = brief(target_words=words_for_minutes(6))
    short = Draft("T", ("Pip and Luna sleep. The sea is calm. " * 30,))  # ~240 words
    assert any("fewer than" in p for p in problems(short, wanted))


def test_a_draft_too_hard_for_the_age_is_written_again() -> None:
    hard = Draft(
        "T",
        (
            "Pip and Luna, contemplating extraordinarily magnificent constellations, "
            "considered philosophical implications of interstellar navigation " * 20,
        ),
    )
    easy = Draft("T", ("Pip and Luna go to sleep. The moon is up. " * 25,))

    class Scripted:
        name, model = "scripted", "s"

        def __init__(self) -> None:
            self.drafts = [hard, easy]

        def write(self, brief):
            return self.drafts.pop(0)

    writer = Scripted()
    draft, used = write_checked(brief(listener_age=4), [writer, writer, writer])
    assert draft is easy and used is writer
    assert any("too hard for age 4" in p for p in problems(hard, brief(listener_age=4)))


@pytest.fixture
def openai_stack(aws, monkeypatch):
    fake = FakeOpenAI()
    monkeypatch.setenv("STORY_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    services.clear()
    yield fake
    fake.close()


def story_reply(summary: str) -> Reply:
    verse = "Pip and Luna play by the sea. They are as happy as can be. " * 60
    body = {"title": "By the Sea", "paragraphs": [verse], "summary": summary}
    return Reply(body=completion(json.dumps(body)))


def chat(fake: FakeOpenAI, message: int) -> list[str]:
    """The system (0) or user (1) message of every chat request the fake received."""
    return [b["messages"][message]["content"] for p, b in fake.requests if p == "/chat/completions"]


CLEAN = Reply(body={"id": "m", "model": "m", "results": [{"flagged": False, "categories": {}}]})


def test_a_summary_outlives_its_story_and_reaches_the_next_prompt(
    openai_stack, lambda_context
) -> None:
    services.catalog_store().replace("home", TWO)
    openai_stack.reply("/chat/completions", story_reply("Pip and Luna found a silver shell."))
    openai_stack.reply("/moderations", CLEAN, CLEAN)
    first = create_story.handler(sample_event("make-story.json"), lambda_context)
    services.client("dynamodb").delete_item(  # as TTL deletes an expired story
        TableName=services.settings().stories_table, Key={"id": {"S": first["storyId"]}}
    )
    openai_stack.reply("/chat/completions", story_reply("They sailed a paper boat."))
    event = {"trigger": "manual", "requestId": "second-night"}
    create_story.handler(event, lambda_context)
    prompts = chat(openai_stack, 1)
    assert "found a silver shell" not in prompts[0]
    assert "Pip and Luna found a silver shell." in prompts[-1]
    [past] = services.canon_store().recent("home", limit=5)[1:]
    assert past.summary == "Pip and Luna found a silver shell."


def just_short_and_a_little_hard() -> list[str]:
    """A safe story of 299 words at reading grade 5.5: short of 6 minutes (690 words) and
    over the grade a child of 5 follows (3.0), as a real model's story may be."""
    walk = (
        "Pip and Luna wandered slowly along the quiet beach "
        "while the silver moon rose over the sleeping water."
    )
    stars = ["beautiful"] * 7 + ["bright"] * 2
    stanzas = [
        f"{walk}\nThe sea was calm.\nLuna told Pip a gentle story about the {s} stars."
        for s in stars
    ]
    return [*stanzas, "Then Pip and Luna fell asleep.\nThey slept by the sea."]


def test_a_safe_story_that_misses_the_length_and_grade_is_rewritten_then_kept(
    openai_stack, lambda_context
) -> None:
    services.catalog_store().replace("home", TWO)
    paragraphs = just_short_and_a_little_hard()
    body = {"title": "The Quiet Beach", "paragraphs": paragraphs, "summary": "A walk."}
    reply = Reply(body=completion(json.dumps(body)))
    openai_stack.reply("/chat/completions", reply, reply)
    openai_stack.reply("/moderations", CLEAN, CLEAN)
    made = create_story.handler(sample_event("make-story.json"), lambda_context)
    story = services.story_store().get(made["storyId"])
    assert (story.provider, story.title, story.paragraphs) == (
        "openai",
        "The Quiet Beach",
        tuple(paragraphs),
    )
    first, rewrite = chat(openai_stack, 1)
    assert "Write the story again" not in first
    assert "It had 299 words; write about 690, never fewer than 483." in rewrite
    assert "reading grade (Flesch-Kincaid) was 5.5; a child of 5 follows grade 3.0" in rewrite
    assert 'too long (keep to about 8 words): "Pip and Luna wandered slowly' in rewrite


def test_a_character_is_described_once_and_painted_that_way_every_night(
    openai_stack, monkeypatch, lambda_context
) -> None:
    monkeypatch.setenv("IMAGE_PROVIDER", "openai")
    services.clear()
    services.catalog_store().replace("home", TWO)
    looks = [Reply(body=completion(f"A round {c} creature in a red scarf.")) for c in "ab"]
    openai_stack.reply("/chat/completions", *looks, story_reply("One."), story_reply("Two."))
    openai_stack.reply("/moderations", CLEAN, CLEAN)
    first = create_story.handler(sample_event("make-story.json"), lambda_context)
    create_story.handler({"trigger": "manual", "requestId": "again"}, lambda_context)
    asked = chat(openai_stack, 0)
    assert sum("picture book" in system for system in asked) == 2  # one look per character
    stored = {c.name: c.look for c in services.catalog_store().load("home").characters}
    assert all(look.startswith("A round") for look in stored.values())
    png = "iVBORw0KGgo="
    openai_stack.reply(
        "/images/generations", Reply(body={"created": 1, "data": [{"b64_json": png}]})
    )
    created = sample_event("story-created.json")
    created["detail"]["storyId"] = first["storyId"]
    illustrate.handler(created, lambda_context)
    [(_, painting)] = [(p, b) for p, b in openai_stack.requests if p == "/images/generations"]
    assert "A round a creature in a red scarf." in painting["prompt"]


def test_seeding_again_keeps_a_look_while_the_description_stays(aws) -> None:
    store = services.catalog_store()
    store.replace("home", CATALOG)
    store.set_look("home", "Pip", "A tiny hedgehog in a blue scarf.")
    store.replace("home", CATALOG)
    looks = {c.name: c.look for c in store.load("home").characters}
    assert looks["Pip"] == "A tiny hedgehog in a blue scarf." and looks["Luna"] == ""
    changed = [
        {"name": "Pip", "description": "a tall green dragon"},
        *({"name": c.name, "description": c.description} for c in CATALOG.characters[1:]),
    ]
    store.replace(
        "home",
        parse_catalog({"characters": changed, "scenes": [{"name": "B", "description": "b"}]}),
    )
    assert {c.name: c.look for c in store.load("home").characters}["Pip"] == ""


# --- the family's word ----------------------------------------------------------------
def read(path: str, context) -> str:
    event = function_url_event("GET", path, reader_cookie(), b"", "example.test", "1.2.3.4")
    return web.handler(event, context)["body"]


def post(path: str, context, form: str, headers: dict[str, str]) -> dict:
    event = function_url_event("POST", path, headers, form.encode(), "example.test", "1.2.3.4")
    return web.handler(event, context)


def test_we_loved_it_is_kept_on_the_story_and_in_the_canon(aws, lambda_context) -> None:
    story = story_record(SAMPLE_STORY_ID)
    services.story_store().add(story)
    services.canon_store().record(story, "Pip and Luna in the woods.", ())
    signed_in = reader_cookie() | {"origin": "https://example.test"}
    response = post(f"/stories/{SAMPLE_STORY_ID}/rating", lambda_context, "rating=loved", signed_in)
    assert response["statusCode"] == 303
    assert response["headers"]["Location"] == f"/stories/{SAMPLE_STORY_ID}#rating"
    assert services.story_store().get(SAMPLE_STORY_ID).rating == "loved"
    assert services.canon_store().recent("home")[0].rating == 1
    page = read(f"/stories/{SAMPLE_STORY_ID}", lambda_context)
    assert 'value="loved" aria-pressed="true"' in page
    home = read("/", lambda_context)
    assert "Stories you loved: 1" in home


def test_a_rating_after_the_family_was_removed_writes_nothing_and_gets_a_4xx(
    aws, lambda_context
) -> None:
    """Given a signed-in browser whose family was just removed (its story book gone; the
    story and the cached secret still there), its rating writes both or neither."""
    story = story_record(SAMPLE_STORY_ID)
    services.story_store().add(story)
    services.canon_store().record(story, "Pip and Luna in the woods.", ())
    services.canon_store().remove("home")
    signed_in = reader_cookie() | {"origin": "https://example.test"}
    response = post(f"/stories/{SAMPLE_STORY_ID}/rating", lambda_context, "rating=loved", signed_in)
    assert response["statusCode"] == 404
    assert services.story_store().get(SAMPLE_STORY_ID).rating is None


def test_the_story_book_counts_each_rating_and_forgets_a_family_whole(aws) -> None:
    canon = services.canon_store()
    for index, rating in enumerate(("loved", "loved", "not", None)):
        story = story_record(f"U3RvcnlCb29rTmlnaHQ{index}")
        canon.record(story, "A night.", ())
        services.story_store().add(story)
        if rating:
            services.site().rate(story, rating)
    assert canon.counts("home") == (2, 1)
    canon.remove("home")
    assert canon.counts("home") == (0, 0) and list(canon.every_night("home")) == []


@pytest.mark.parametrize(
    ("headers", "form", "status"),
    [
        ({"sec-fetch-site": "cross-site"}, "rating=loved", 401),
        ({"origin": "https://elsewhere.example"}, "rating=loved", 401),
        ({"origin": "null"}, "rating=loved", 401),
        ({"origin": "null", "sec-fetch-site": "same-site"}, "rating=loved", 401),
        ({}, "rating=wonderful", 400),
    ],
)
def test_a_rating_from_elsewhere_or_of_another_kind_is_refused(
    aws, lambda_context, headers, form, status
) -> None:
    services.story_store().add(story_record(SAMPLE_STORY_ID))
    response = post(
        f"/stories/{SAMPLE_STORY_ID}/rating", lambda_context, form, reader_cookie() | headers
    )
    assert response["statusCode"] == status
    assert services.story_store().get(SAMPLE_STORY_ID).rating is None


def test_a_rating_is_taken_as_chromium_posts_the_form(aws, lambda_context) -> None:
    """Fetch Standard, "serializing a request origin": a form POST under the page's
    `no-referrer` policy carries `Origin: null`; Sec-Fetch-Site says where it came from."""
    story = story_record(SAMPLE_STORY_ID)
    services.story_store().add(story)
    services.canon_store().record(story, "Pip and Luna in the woods.", ())
    chromium = {"origin": "null", "sec-fetch-site": "same-origin"}
    response = post(
        f"/stories/{SAMPLE_STORY_ID}/rating",
        lambda_context,
        "rating=loved",
        reader_cookie() | chromium,
    )
    assert response["statusCode"] == 303
    assert services.story_store().get(SAMPLE_STORY_ID).rating == "loved"


def test_a_rating_needs_a_session_not_just_a_link(aws, lambda_context) -> None:
    services.story_store().add(story_record(SAMPLE_STORY_ID))
    keys = services.reader_secrets().ensure("home")
    token = keys.story_token(
        SAMPLE_STORY_ID, services.story_store().get(SAMPLE_STORY_ID).expires_at
    )
    path = f"/stories/{SAMPLE_STORY_ID}/rating?t={token}"
    assert post(path, lambda_context, "rating=loved", {})["statusCode"] == 401


# --- how it sounds and shows ----------------------------------------------------------
def test_polly_reads_at_a_childs_pace_and_slower_as_the_story_winds_down() -> None:
    stanzas = tuple("\n".join([f"Line {i} of the night."] * 4) for i in range(10))
    request = ssml(next(chunks(list(spoken_lines("Title", stanzas)))))
    assert '<prosody rate="80%">Line 0 of the night.</prosody>' in request
    assert '<prosody rate="70%">Line 9 of the night.</prosody>' in request


def test_the_page_says_how_many_minutes_the_story_lasts(aws, lambda_context) -> None:
    from bedtime.records.stories import Medium

    audio = Medium("done", key="k.mp3", duration_ms=6 * 60_000 + 10_000)
    services.story_store().add(story_record(SAMPLE_STORY_ID, audio=audio))
    assert "about 6 minutes" in read(f"/stories/{SAMPLE_STORY_ID}", lambda_context)


def test_prompts_ask_for_the_age_length_and_the_series_hero() -> None:
    from bedtime.providers.prompts import story_prompt

    text = story_prompt(brief(listener_age=3, target_words=690, returning_hero=True))
    assert "for a child of 3" in text and "about 690 words" in text
    assert "Pip is the hero of this series" in text
    assert "summary" in text
