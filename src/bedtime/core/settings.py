"""Typed settings, read once from the environment and validated at the edge."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from functools import cache
from typing import Any, Literal, TypeVar, cast, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bedtime.core.addresses import is_email_address

StoryProvider = Literal["openai", "bedrock", "offline"]
ImageProvider = Literal["openai", "bedrock", "offline"]
SpeechProvider = Literal["polly", "openai", "offline"]
ImageQuality = Literal["low", "medium", "high"]
Privacy = Literal["private", "public"]
Switch = Literal["true", "false"]
Scheme = Literal["https", "http"]
T = TypeVar("T", bound=str)
MINUTES = (2.0, 15.0)
AGES = (3.0, 8.0)
LEAD_HOURS = (1.0, 12.0)
# How long a function remembers a family's reader secret: the bound on revoking access.
READER_KEYS_SECONDS = 300


class SettingsError(ValueError):
    """A missing or invalid environment variable; the message names it."""


@dataclass(frozen=True)
class Settings:
    stories_table: str
    characters_table: str
    scenes_table: str
    idempotency_table: str
    media_bucket: str
    event_bus: str
    time_zone: ZoneInfo
    story_provider: StoryProvider = "offline"
    # Active on OpenAI's "Deprecations" and model pages (developers.openai.com/api/docs/
    # deprecations, models/gpt-6.1-terra), read 2026-12-03: gpt-5-mini, the default before,
    # shuts down on 11 Dec 2026 and gpt-image-1-mini shut down on 1 Dec 2026.
    story_model: str = "gpt-6.1-terra"
    image_provider: ImageProvider = "offline"
    image_model: str = "gpt-image-2.6-flare"
    image_quality: ImageQuality = "medium"
    speech_provider: SpeechProvider = "offline"
    speech_voice: str = ""
    # Not on the deprecations page as read 2026-12-03 (a third-party list says 6 Jan 2027,
    # with no replacement named): the weekly model check warns 30 days ahead.
    speech_model: str = "gpt-4o-mini-tts"
    allow_model_successor: bool = False
    story_language: str = "en"
    bedrock_text_model: str = "amazon.nova-lite-v1:0"
    bedrock_image_model: str = "amazon.nova-canvas-v1:0"
    bedrock_guardrail: tuple[str, str] | None = None
    openai_base_url: str | None = None
    openai_key_secret: str | None = None
    families_table: str = ""
    canon_table: str = ""
    private: bool = True
    story_minutes: float = 6.0
    listener_age: int = 5
    series_hero: str = ""
    story_time: time = time(19, 15)
    notification_email: str = ""
    lead: timedelta = timedelta(hours=3)
    queue_urls: tuple[str, ...] = ()
    site_url: str = ""
    site_scheme: Scheme = "https"  # a function URL's; only the local run serves plain http
    reader_keys_seconds: float = READER_KEYS_SECONDS

    def queue_url(self, arn: str) -> str:
        """The URL of the stage queue with this ARN (the queues' names are their last part)."""
        name = arn.rsplit(":", 1)[-1]
        for url in self.queue_urls:
            if url.rstrip("/").rsplit("/", 1)[-1] == name:
                return url
        raise SettingsError(f"no *_QUEUE_URL variable names the queue {name}")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        return cls(
            stories_table=_required(env, "STORIES_TABLE"),
            characters_table=_required(env, "CHARACTERS_TABLE"),
            scenes_table=_required(env, "SCENES_TABLE"),
            idempotency_table=_required(env, "IDEMPOTENCY_TABLE"),
            media_bucket=_required(env, "MEDIA_BUCKET"),
            event_bus=_required(env, "EVENT_BUS_NAME"),
            time_zone=_time_zone(env.get("STORY_TIME_ZONE") or "UTC"),
            story_provider=_choice(env, "STORY_PROVIDER", StoryProvider, "offline"),
            story_model=env.get("STORY_MODEL") or cls.story_model,
            image_provider=_choice(env, "IMAGE_PROVIDER", ImageProvider, "offline"),
            image_model=env.get("IMAGE_MODEL") or cls.image_model,
            image_quality=_choice(env, "IMAGE_QUALITY", ImageQuality, "medium"),
            speech_provider=_choice(env, "SPEECH_PROVIDER", SpeechProvider, "offline"),
            speech_voice=env.get("SPEECH_VOICE") or "",
            speech_model=env.get("SPEECH_MODEL") or cls.speech_model,
            allow_model_successor=_choice(env, "ALLOW_MODEL_SUCCESSOR", Switch, "false") == "true",
            story_language=env.get("STORY_LANGUAGE") or cls.story_language,
            bedrock_text_model=env.get("BEDROCK_TEXT_MODEL") or cls.bedrock_text_model,
            bedrock_image_model=env.get("BEDROCK_IMAGE_MODEL") or cls.bedrock_image_model,
            bedrock_guardrail=_guardrail(env),
            openai_base_url=env.get("OPENAI_BASE_URL") or None,
            openai_key_secret=env.get("OPENAI_API_KEY_SECRET") or None,
            families_table=_required(env, "FAMILIES_TABLE"),
            canon_table=_required(env, "CANON_TABLE"),
            private=_choice(env, "PRIVACY", Privacy, "private") == "private",
            story_minutes=_number(env, "STORY_MINUTES", 6, MINUTES),
            listener_age=int(_number(env, "LISTENER_AGE", 5, AGES)),
            series_hero=(env.get("SERIES_HERO") or "").strip(),
            story_time=_clock_time(env, "STORY_TIME", "19:15"),
            notification_email=_email(env, "NOTIFICATION_EMAIL"),
            lead=timedelta(hours=_number(env, "LEAD_HOURS", 3, LEAD_HOURS)),
            site_url=env.get("SITE_URL") or "",
            site_scheme=_choice(env, "SITE_SCHEME", Scheme, "https"),
            reader_keys_seconds=_number(
                env, "READER_KEYS_SECONDS", READER_KEYS_SECONDS, (0, READER_KEYS_SECONDS)
            ),
            queue_urls=tuple(
                env[name] for name in sorted(env) if name.endswith("_QUEUE_URL") and env[name]
            ),
        )


@cache
def settings() -> Settings:
    """The process's settings, read on first use (never at import time)."""
    return Settings.from_env(os.environ)


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise SettingsError(f"environment variable {name} is required but not set")
    return value


def _choice(env: Mapping[str, str], name: str, allowed: Any, default: T) -> T:
    """The variable's value when it is one of the Literal type `allowed`'s values."""
    value = (env.get(name) or default).strip().lower()
    choices = get_args(allowed)
    if value not in choices:
        raise SettingsError(f"{name}={value!r} is not one of {', '.join(choices)}")
    return cast(T, value)


def _number(
    env: Mapping[str, str], name: str, default: float, bounds: tuple[float, float]
) -> float:
    text = (env.get(name) or str(default)).strip()
    try:
        value = float(text)
    except ValueError:
        raise SettingsError(f"{name}={text!r} is not a number") from None
    low, high = bounds
    if not low <= value <= high:
        raise SettingsError(f"{name}={text!r} is not between {low:g} and {high:g}")
    return value


def _email(env: Mapping[str, str], name: str) -> str:
    text = (env.get(name) or "").strip()
    if text and not is_email_address(text):
        raise SettingsError(f"{name}={text!r} is not one email address")
    return text


def _clock_time(env: Mapping[str, str], name: str, default: str) -> time:
    text = (env.get(name) or default).strip()
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise SettingsError(f"{name}={text!r} is not a time of day such as 19:15") from None


def _guardrail(env: Mapping[str, str]) -> tuple[str, str] | None:
    identifier = env.get("BEDROCK_GUARDRAIL_ID") or ""
    return (identifier, env.get("BEDROCK_GUARDRAIL_VERSION") or "DRAFT") if identifier else None


def _time_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise SettingsError(f"STORY_TIME_ZONE={name!r} is not an IANA time zone") from error
