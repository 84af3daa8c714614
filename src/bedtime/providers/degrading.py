"""When a provider says a model is gone, degrade in a known order, and say so.

configured model → the provider's recommended successor, only when the operator allowed
it (AllowModelSuccessor=true) and one is known → the last resort (the offline storyteller
or painter; Polly for speech). Each step is logged with its reason as one line an operator
can count (`"message": "model retired: degraded"`), and reported (`report`: the operator's
alarm, raised once).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bedtime.core.observability import logger
from bedtime.providers import ModelGone, Narration
from bedtime.providers.lifecycle import SUCCESSORS, ConfiguredModel
from bedtime.records.briefs import Draft, PictureBrief, StoryBrief
from bedtime.records.catalog import Entry

DEGRADED = "model retired: degraded"
# (the error, the configured model, what is used instead)
Report = Callable[[ModelGone, ConfiguredModel, str], None]


def log_only(error: ModelGone, configured: ConfiguredModel, instead: str) -> None:
    """The report where no alarm is wired (the local run, tests)."""


class Degrading:
    """A writer, painter or voice that steps down when its model is gone."""

    def __init__(
        self,
        configured: ConfiguredModel,
        build: Callable[[str], Any],
        last_resort: Callable[[], Any],
        allow_successor: bool,
        report: Report = log_only,
    ) -> None:
        self.configured = configured
        self._build = build
        self._last_resort = last_resort
        self._successor = SUCCESSORS.get(configured.model) if allow_successor else None
        self._report = report
        self._steps_taken = 0
        self._use(build(configured.model))

    def write(self, brief: StoryBrief) -> Draft:
        return self._attempt("write", brief)

    def look(self, character: Entry) -> str:
        return self._attempt("look", character)

    def paint(self, brief: PictureBrief) -> bytes:
        return self._attempt("paint", brief)

    def speak(self, title: str, paragraphs: tuple[str, ...], language: str) -> Narration:
        return self._attempt("speak", title, paragraphs, language)

    def _use(self, provider: Any) -> None:
        self._current = provider
        self.name: str = provider.name
        self.model: str = getattr(provider, "model", "")

    def _attempt(self, method: str, *args: Any) -> Any:
        while True:
            try:
                return getattr(self._current, method)(*args)
            except ModelGone as error:
                self._step_down(error)
                if not hasattr(self._current, method):  # the offline writer has no `look`
                    raise

    def _step_down(self, error: ModelGone) -> None:
        if self._steps_taken == 0 and self._successor:
            instead, provider = self._successor, self._build(self._successor)
        elif self._steps_taken < 2:
            provider = self._last_resort()
            instead = provider.name
        else:
            raise error
        self._steps_taken = 1 if instead == self._successor else 2
        logger.error(
            DEGRADED,
            parameter=self.configured.parameter,
            retired=error.model,
            instead=instead,
            reason=str(error),
            request_id=error.request_id,
            fix=f"set {self.configured.parameter} to a model the provider serves"
            + (f", such as {SUCCESSORS[self.configured.model]}" if self._known() else ""),
        )
        self._report(error, self.configured, instead)
        self._use(provider)

    def _known(self) -> bool:
        return self.configured.model in SUCCESSORS
