"""A storyteller that needs no network: rhyming couplets made from a grammar of lines.

A story goes: the evening comes to the scene; the two characters come out; they
explore the scene, watch the sky and are kind to each other, each doing what their
kind does and showing what they wear or carry; then the last, shorter stanzas wind
down and the story ends in sleep. Lines come from templates (vocabulary.py) filled
for tonight's characters and scene; two lines whose last words rhyme make a couplet.
The canon's last nights say which titles and lines to leave alone tonight: a draft's
motifs are its title template's id and each line's template id with an id of the line's
own words, names set aside ("sky-1a2b3c.9f0e7d"), stable while the words stay the same.
Tonight leaves alone last night's lines and any line told on two of the last four
nights, so no line comes in more than two of any five nights.

A long night needs more lines than the templates can give five nights running without
near-copies (a line almost the same as one of another night). So the middle may also tell
the walk's stops: a doing and a where ("Bolt hummed a song / beside the river"), thousands
of pairs. A template told on any of the last four nights now costs more than any stop, and
tonight considers only stops that are not almost the same as a stop of the last nights.
"""

from __future__ import annotations

import difflib
import hashlib
import heapq
import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache

from bedtime.providers.offline import vocabulary as vocab
from bedtime.providers.offline.characters import Character, read_character
from bedtime.providers.offline.grammar import (
    Style,
    Template,
    apart,
    fill,
    last_word,
    pare,
    rhyme_sounds,
    rhymes,
    skeletons,
    syllables,
    template,
    words,
)
from bedtime.providers.offline.plots import BIG, LITTLE, LITTLE_UP_TO, Plot
from bedtime.providers.offline.scenes import own_things, place, scene_kind
from bedtime.records.briefs import Draft, PastNight, StoryBrief
from bedtime.records.catalog import Entry
from bedtime.records.readability import MAX_GRADE, YOUNGEST, listener_age, reading_grade
from bedtime.records.speech import wind_down_stanzas

# Export for callers that check rhymes the way the storyteller does.
__all__ = ["LEVELS", "Level", "OfflineStoryWriter", "rhymes", "syllables"]


@dataclass(frozen=True)
class Level:
    """How a story is worded for an age: the words, and the syllables a line may have."""

    style: Style
    band: tuple[int, int]
    plain: bool = False  # "the fox", not "the curious fox cub"


_SMALL = Level(Style(rich=False, optional=0.0), (5, 8))
_PLAINEST = Level(Style(rich=False, optional=0.0), (5, 7), plain=True)  # when all else is hard
_MIDDLE = Level(Style(rich=False, optional=0.5), (6, 9))
_BIG = Level(Style(rich=True, optional=1.0), (7, 10))
LEVELS = {3: _SMALL, 4: _SMALL, 5: _MIDDLE, 6: _MIDDLE, 7: _BIG, 8: _BIG}
THEMES = ("explore", "sky", "explore", "friends", "explore", "games", "explore", "questions")
REMEMBERED_NIGHTS = 4  # with tonight, the five nights in which a line may come twice
_TOLD_AGO = (60.0, 20.0, 12.0, 6.0)  # a line told 1, 2, 3 or 4 nights ago
_TOLD_TWICE = 400.0  # a line told on two of the remembered nights
_FAMILY_AGO = (300.0, 290.0, 280.0, 270.0)  # a line of a family told 1, 2, 3 or 4 nights ago
VARIANTS = 4  # at most this many ways to make each template's choices
_FIRSTS_TRIED = 40  # the cheapest first lines tried for a couplet
_PER_CHARACTER = {"intro", "kind", "rest"}
_THEME_NEEDS = {"questions": ["ask"]}
_SOFT = {"scene", "rest"}  # wanted, but not at the price of last night's lines
_SOFT_BONUS = 30.0
_SHOWN_AGAIN = {"intr": 30.0, "feat": 8.0}  # a second introduction, a feature shown again
_STALE = 25.0  # a couplet this costly repeats one of the last nights' lines
_SAME_TEMPLATE = 40.0  # another filling of a template told tonight: less than last night's line
_THEME_ORDER = tuple(dict.fromkeys(THEMES))
_COMMON = {"then", "with", "that", "they", "were", "what", "from", "soft", "softly"}
_SHARED = {"scene", "sleep", "anywhere", "stop", "who:0", "who:1"}
_TITLE_PLACE_AGAIN = 30.0  # "… in the Willow Houseboat" night after night
_ANYWHERE = 8.0  # a line any scene may tell: for when the scene's own are told lately
_STOP = 8.0  # a stop of the walk: for when the templates are told lately
_HALF_AGAIN = 4.0  # a stop's half told tonight already
_WORDS_A_STOP = 1  # tonight may tell one of the walk's stops for every word wanted
NEAR = 0.8  # difflib ratio from which two lines are near-copies
_SAID = re.compile(r"[\w·']+")  # a line's words, names set aside as "·"


class OfflineStoryWriter:
    name = "offline"
    model = "rhyming-grammar-1"

    def write(self, brief: StoryBrief) -> Draft:
        """The story for the listener's age; if long names or long descriptions make its
        words too hard, the same night told with shorter lines and plainer words."""
        age = listener_age(brief.listener_age)
        tried = []
        for level in dict.fromkeys((LEVELS[age], LEVELS[YOUNGEST], _PLAINEST)):
            draft = _Teller(brief, level).tell()
            grade = reading_grade("\n".join(draft.paragraphs))
            if grade <= MAX_GRADE[age]:
                return draft
            tried.append((grade, draft))
        return min(tried, key=lambda t: t[0])[1]


@dataclass(frozen=True)
class Line:
    text: str
    template: Template
    tags: frozenset[str]
    motif: str
    end: str
    sounds: frozenset[str]
    syllables: int
    order: int  # where its template is in its part of the story: a setup before its sequel
    content: frozenset[str]  # its longer words, to keep a couplet from repeating itself
    words: int
    in_band: bool  # as many syllables as the listener's lines have
    who: tuple[str, ...]  # whom it is about: "who:0", "who:1"
    halves: frozenset[str] = frozenset()  # a stop's doing and where


Couplet = tuple[Line, Line]


@dataclass(frozen=True)
class _Memory:
    """What the last nights used: each line (by its words, names set aside) and each
    line family (template), night by night, newest first; and their titles."""

    lines: tuple[frozenset[str], ...]
    families: tuple[frozenset[str], ...]
    titles: frozenset[str]

    @classmethod
    def of(cls, canon: Sequence[PastNight]) -> _Memory:
        nights = [night.motifs for night in canon[:REMEMBERED_NIGHTS]]
        return cls(
            lines=tuple(frozenset(_line_id(m) for m in motifs) for motifs in nights),
            families=tuple(frozenset(m.split(".")[0] for m in motifs) for motifs in nights),
            titles=frozenset(night.title.casefold() for night in canon),
        )

    def nights_with(self, motif: str) -> int:
        """How many of the remembered nights told this very line."""
        said = _line_id(motif)
        return sum(said in night for night in self.lines)

    def cost(self, motif: str) -> float:
        """More for a line told lately: most for last night's, or one told twice already
        (tonight would make three in five nights); a little for its family."""
        said, family = _line_id(motif), motif.split(".")[0]
        told = [i for i, night in enumerate(self.lines) if said in night]
        cost = _TOLD_TWICE if len(told) >= 2 else sum(_TOLD_AGO[i] for i in told)
        return cost + sum(
            _FAMILY_AGO[i] for i, night in enumerate(self.families) if family in night
        )


def _line_id(motif: str) -> str:
    """The part of a motif that names a line's words: the same whichever template."""
    return motif.partition(".")[2] or motif


@cache
def _templates(pool: str, texts: tuple[str, ...]) -> tuple[Template, ...]:
    return tuple(template(text, pool) for text in texts)


class _Teller:
    def __init__(self, brief: StoryBrief, level: Level) -> None:
        self.brief = brief
        self.level = level
        # each age its own draws: two ages told in the same metre (3 and 4) would
        # otherwise walk the same way, the plot apart
        self.rng = random.Random(f"{brief.seed}:{listener_age(brief.listener_age)}")
        lines = _lines_for(brief.characters, brief.scene, level)
        self.cast, self.scene, self.where = lines.cast, lines.scene, lines.where
        self.own, self.names = lines.own, lines.names
        self.memory = _Memory.of(brief.canon)
        self.told: dict[str, float] = {}
        self.couplet_words: dict[str, float] = {}
        self.used_texts: set[str] = set()
        self.used_templates: set[str] = set()
        self.ends: Counter[str] = Counter()
        self.halves_told: Counter[str] = Counter()
        self.settled: dict[int, float] = {}  # each line's settled cost, by id (`_settled`)
        self.partners: dict[tuple[str, int], tuple[Line, ...]] = {}
        self.sounds: dict[str, dict[str, list[Line]]] = {}
        self.shown: set[str] = set()
        self.lines: list[Line] = []
        self.lately: Counter[str] = Counter()  # who the last lines were about
        self.heard = self._stops_heard(lines.pools["explore"])
        self.pools = self._tonights(lines.pools)
        # tonight's order among lines that cost the same, drawn once (not at each
        # pricing), so a price stays the same until a line is told
        self.jitter = {id(line): self.rng.random() for pool in self.pools.values() for line in pool}
        self.prices: dict[int, float] = {}
        self.themes = self.rng.sample(THEMES, len(THEMES))  # the questions not always 10th
        self.plot, self.thing, self.hero = self._plot()
        self.worn = {  # told on two of the last nights: a third time only if nothing else
            line.text
            for pool in self.pools.values()
            for line in pool
            if self.memory.nights_with(line.motif) >= 2
        }

    # --- the story ---------------------------------------------------------------
    def tell(self) -> Draft:
        opening = ["own", "named"] if self.own else ["named", "scene"]
        stanzas = [self._stanza("dusk", opening), self._stanza("meet", self._intros())]
        thread = self._thread()
        stanzas += self._woven(self._middle(stanzas + thread), thread)
        calm = _wind_down_count(len(stanzas))
        traits = [f"rest:{i}" for i in range(len(self.cast))]
        stanzas += [self._stanza("calm", traits, couplets=1) for _ in range(calm - 1)]
        stanzas.append(self._stanza("end", ["sleep"], couplets=1))
        stanzas = [s for s in stanzas if s]
        title, title_motif = self._title()
        return Draft(
            title=title,
            paragraphs=tuple("\n".join(line.text for line in stanza) for stanza in stanzas),
            summary=self._summary(),
            motifs=tuple(
                dict.fromkeys(
                    [title_motif, self._plot_motif(), *(line.motif for line in self.lines)]
                )
            ),
        )

    # --- the thread: a want, a try, help, a turn, home ------------------------------
    def _plot(self) -> tuple[Plot, str, int]:
        """Tonight's plot, thing and the one who wants it: a plot for the listener's age
        (each age its own pick), not one of the last nights' if another is left."""
        age = listener_age(self.brief.listener_age)
        pick = random.Random(f"{self.brief.seed}:{age}")
        plots = LITTLE if age <= LITTLE_UP_TO else BIG
        plot = min(plots, key=lambda p: self.memory.cost(f"thread-{p.kind}.") + pick.random())
        return plot, pick.choice(plot.things), pick.randrange(len(self.cast))

    def _plot_motif(self) -> str:
        return f"thread-{self.plot.kind}.{self.thing.replace(' ', '_')}"

    def _thread(self) -> list[list[Line]]:
        """The plot's stanzas, told by tonight's two: the hero wants, the other helps."""
        values = {
            "x": self.cast[self.hero].handle,
            "y": self.cast[1 - self.hero].handle,
            "thing": self.thing,
        }
        stanzas = []
        for stanza in self.plot.stanzas:
            lines = [self._plot_line(text, values) for text in stanza]
            for line in lines:
                self._note(line)
            stanzas.append(lines)
        return stanzas

    def _plot_line(self, text: str, values: dict[str, str]) -> Line:
        tpl = template(f"{text} ~ {self.plot.deed}", f"plot-{self.plot.kind}")
        said = fill(text, values)
        end, sounds, motif, content = _facts(said, self.names) or ("", frozenset(), "", frozenset())
        who = tuple(f"who:{i}" for i, c in enumerate(self.cast) if c.handle in said)
        count, (low, high) = _syllables(said), self.level.band
        return Line(
            said, tpl, frozenset(who), f"{tpl.id}.{motif}", end, sounds, count, 0, content,
            len(said.split()), low <= count <= high, who,
        )  # fmt: skip

    def _woven(self, middle: list[list[Line]], thread: list[list[Line]]) -> list[list[Line]]:
        """The middle with the plot's stanzas told in it, in order: the want in the first
        two stanzas, the try, help and turn at places of tonight's own, home last."""
        short = middle[-1:] if middle and len(middle[-1]) < len(thread[-1]) else []
        middle = middle[: len(middle) - len(short)]  # a last half stanza stays last
        first = self.rng.randint(0, min(1, len(middle)))
        later = range(first + 1, len(middle) + 1)
        at = [first, *sorted(self.rng.sample(later, min(len(thread) - 2, len(later))))]
        stages = iter(thread[:-1])
        woven: list[list[Line]] = []
        for index, stanza in enumerate([*middle, []]):
            woven += [next(stages) for _ in range(at.count(index))]
            woven += [stanza] if stanza else []
        return [*woven, *stages, thread[-1], *short]

    def _intros(self) -> list[str]:
        return [f"intro:{i}" for i in range(len(self.cast))]

    def _middle(self, opening: list[list[Line]]) -> list[list[Line]]:
        couplets: list[Couplet] = []
        theme = THEMES[0]
        while not self._long_enough(opening, couplets):
            traits = [t for t in self._traits() if t not in self.shown][:1]
            if len(couplets) % 2 == 0:
                theme = "explore" if traits else self.themes[(len(couplets) // 2) % len(THEMES)]
            if traits:  # shown, or given up rather than the metre: no line in it shows it
                found = self._best(theme, traits, overlong=False) or self._best(theme, [])
            else:
                found = self._best(theme, _THEME_NEEDS.get(theme, []))
            self.shown |= set(traits)
            if not traits and (found is None or found[0] >= _STALE):
                theme, found = self._freshest(theme, found)
            if found is None:
                break
            couplets.append(self._take(found[1]))
        return [
            [line for c in couplets[i : i + 2] for line in c] for i in range(0, len(couplets), 2)
        ]

    def _freshest(
        self, theme: str, found: tuple[float, Couplet] | None
    ) -> tuple[str, tuple[float, Couplet] | None]:
        """When a theme has only last nights' lines left, the theme with the freshest."""
        options = [(theme, found)] + [
            (other, self._best(other, _THEME_NEEDS.get(other, []))) for other in _THEME_ORDER
        ]
        return min(((t, f) for t, f in options if f), key=lambda o: o[1][0], default=(theme, None))

    def _long_enough(self, opening: list[list[Line]], couplets: list[Couplet]) -> bool:
        words = sum(line.words for stanza in opening for line in stanza)
        words += sum(a.words + b.words for a, b in couplets)
        stanzas = len(opening) + (len(couplets) + 1) // 2
        ending = _wind_down_count(stanzas) * self._couplet_words("calm")
        couplet = self._couplet_words("explore")
        enough = max(self.brief.words_wanted - couplet / 2, self.brief.min_words + couplet)
        return words + ending >= enough  # about the words wanted, never under the minimum

    def _couplet_words(self, section: str) -> float:
        if section not in self.couplet_words:
            lines = [line for line in self.pools[section] if line.in_band] or list(
                self.pools[section]
            )
            self.couplet_words[section] = 2 * sum(line.words for line in lines) / max(1, len(lines))
        return self.couplet_words[section]

    def _traits(self) -> list[str]:
        """What the middle must show of each character: its kind, and what it wears."""
        features = [f"feature:{i}:{f.phrase}" for i, c in enumerate(self.cast) for f in c.features]
        return features + [f"kind:{i}" for i in range(len(self.cast))]

    def _stanza(self, section: str, needs: list[str], couplets: int = 2) -> list[Line]:
        stanza: list[Line] = []
        for _ in range(couplets):
            pending = [n for n in needs if n not in self.shown]
            couplet = self._couplet(section, pending[:1]) or self._couplet(section, [])
            self.shown |= set(pending[:1])  # shown, or given up: no line can show it
            if couplet:
                stanza += couplet
        return stanza

    # --- couplets ------------------------------------------------------------------
    def _couplet(self, section: str, needs: list[str]) -> Couplet | None:
        found = self._best(section, needs)
        return self._take(found[1]) if found else None

    def _best(
        self, section: str, needs: list[str], overlong: bool = True
    ) -> tuple[float, Couplet] | None:
        """The cheapest couplet of this part of the story that shows what it needs: of
        templates not told tonight; else, rather than last night's lines, another way of
        saying one told tonight; only when no line fits the metre, an overlong one."""
        found = None
        for strictness in (2, 1):
            here = self._best_at(section, needs, strictness)
            if here and (found is None or here[0] < found[0]):
                found = here
            if found and found[0] < _STALE:
                break
        if found is None and overlong:
            found = self._best_at(section, needs, 0)
        return found

    def _best_at(
        self, section: str, needs: list[str], strictness: int
    ) -> tuple[float, Couplet] | None:
        usable = [line for line in self.pools[section] if self._usable(line, strictness)]
        firsts = [line for line in usable if all(n in line.tags for n in needs)]
        found = self._pair(section, firsts, usable)
        soft = bool(needs) and needs[0].split(":")[0] in _SOFT
        if soft and (found is None or found[0] >= _SOFT_BONUS):
            # wanted, but not at the price of a stale or an overlong line (costs are never
            # below nothing, so a couplet under the bonus is never given up)
            free = self._pair(section, usable, usable)
            if found is None or (free and free[0] < found[0] - _SOFT_BONUS):
                found = free
        return found

    def _usable(self, line: Line, strictness: int) -> bool:
        if line.text in self.used_texts or (strictness >= 1 and line.text in self.worn):
            return False
        if strictness >= 1 and not line.in_band:
            return False
        return strictness < 2 or line.template.id not in self.used_templates

    def _pair(
        self, section: str, firsts: list[Line], usable: list[Line]
    ) -> tuple[float, Couplet] | None:
        """The cheapest couplet found among the cheapest first lines that have a partner."""
        can_use = {id(line) for line in usable}
        best: tuple[float, Couplet] | None = None
        tried = 0
        stop_ends: set[str] = set()  # many stops end alike: the cheapest of each is enough
        for first in self._by_cost(firsts):
            price = self._price(first)
            if best and price >= best[0]:
                break  # a partner costs nothing or more: no later first can do better
            if first.halves and first.end in stop_ends:
                continue
            stop_ends.update([first.end] if first.halves else [])
            partners = [line for line in self._partners(section, first) if id(line) in can_use]
            if not partners:
                continue
            found = self._partner(first, partners, best[0] - price if best else math.inf)
            if found:
                best = found[0] + price, (first, found[1])
            tried += 1
            if tried == _FIRSTS_TRIED:
                break
        return best

    def _partner(
        self, first: Line, partners: list[Line], under: float
    ) -> tuple[float, Line] | None:
        """The first line's cheapest partner, if it costs less than `under`. A partner
        costs at least its settled part, so one whose settled part is not under the
        cheapest so far is not priced."""
        found = None
        for line in partners:
            if self._settled(line) >= under:
                continue
            cost = self._partner_cost(first, line)
            if cost < under:
                found, under = (cost, line), cost
        return found

    def _by_cost(self, lines: list[Line]) -> Iterator[Line]:
        """The lines, cheapest first. A line costs at least its settled part, so each is
        priced only once it could be the next."""
        waiting: list[tuple[float, int, Line]] = []
        unpriced = [(self._settled(x), i, x) for i, x in enumerate(lines)]
        heapq.heapify(unpriced)  # most lines are never reached: no need to sort them all
        while unpriced:
            settled, index, line = heapq.heappop(unpriced)
            while waiting and waiting[0][0] <= settled:
                yield heapq.heappop(waiting)[2]
            heapq.heappush(waiting, (self._price(line), index, line))
        while waiting:
            yield heapq.heappop(waiting)[2]

    def _price(self, line: Line) -> float:
        """A line's cost, worked out once between two lines told (`_note`)."""
        if id(line) not in self.prices:
            self.prices[id(line)] = self._cost(line)
        return self.prices[id(line)]

    def _settled(self, line: Line) -> float:
        """The part of a line's cost that the couplets told so far leave alone: kept until
        a line of its template or with one of its halves is told (`_note`)."""
        key = id(line)
        if key not in self.settled:
            same = _SAME_TEMPLATE if line.template.id in self.used_templates else 0.0
            halves = _HALF_AGAIN * sum(self.halves_told[half] for half in line.halves)
            self.settled[key] = self._told(line) + same + halves
        return self.settled[key]

    def _partners(self, section: str, first: Line) -> tuple[Line, ...]:
        """The lines of this part of the story that can follow `first` in a couplet, by
        rhyme, worked out once a night: which of them are usable changes, this does not."""
        key = (section, id(first))
        if key not in self.partners:
            by_sound = self._by_sound(section)
            self.partners[key] = tuple(
                line
                for sound in sorted(first.sounds)  # sets iterate in a per-process order
                for line in by_sound[sound]
                if _fits(first, line) and apart(first.end, line.end)
            )
        return self.partners[key]

    def _by_sound(self, section: str) -> dict[str, list[Line]]:
        if section not in self.sounds:
            by_sound: defaultdict[str, list[Line]] = defaultdict(list)
            for line in self.pools[section]:
                for sound in line.sounds:
                    by_sound[sound].append(line)
            self.sounds[section] = by_sound
        return self.sounds[section]

    def _cost(self, line: Line) -> float:
        cost = self._settled(line) + 2.0 * self.ends[line.end]
        if shown := line.tags & self.shown:
            cost += sum(_SHOWN_AGAIN.get(t[:4], 4.0) for t in shown - _SHARED)
        return cost + self._imbalance(line) + self.jitter[id(line)]

    def _told(self, line: Line) -> float:
        """What the last nights make a line cost, and a line any scene may tell: worked
        out once a line."""
        if line.motif not in self.told:
            anywhere = _ANYWHERE * ("anywhere" in line.tags) + _STOP * ("stop" in line.tags)
            self.told[line.motif] = self.memory.cost(line.motif) + anywhere
        return self.told[line.motif]

    def _tonights(self, pools: dict[str, tuple[Line, ...]]) -> dict[str, tuple[Line, ...]]:
        """The lines tonight may tell: of the walk's many stops in the listener's metre, a
        sample as large as the story is long, none almost the same as a stop of the last
        nights."""
        explore = pools["explore"]
        stops = [line for line in explore if line.halves and line.in_band]
        sample = self.rng.sample(stops, min(len(stops), self.brief.words_wanted // _WORDS_A_STOP))
        fresh = tuple(line for line in sample if not self._near_heard(line))
        return {**pools, "explore": tuple(line for line in explore if not line.halves) + fresh}

    def _stops_heard(self, explore: Sequence[Line]) -> dict[str, list[str]]:
        """The stops the last nights told, by each of their halves, as plain lines."""
        stops = {line.motif: line for line in explore if line.halves}
        heard: defaultdict[str, list[str]] = defaultdict(list)
        for night in self.brief.canon[:REMEMBERED_NIGHTS]:
            for line in filter(None, map(stops.get, night.motifs)):
                for half in line.halves:
                    heard[half].append(plain_line(line.text, self.names))
        return heard

    def _near_heard(self, line: Line) -> bool:
        """A stop that shares a half with one of the last nights' and says almost the same:
        two stops that share no half are never that close."""
        if not line.halves:
            return False
        said = plain_line(line.text, self.names)
        return any(near_copies(said, other) for half in line.halves for other in self.heard[half])

    def _partner_cost(self, first: Line, second: Line) -> float:
        """More for a second line that repeats the first one's words: less sing-song."""
        same = len(first.content & second.content)
        who = sum(tag in second.who for tag in first.who)
        return self._price(second) + 3.0 * same + 3.0 * who

    def _imbalance(self, line: Line) -> float:
        """More for a line about whoever the story has told most about lately."""
        return 3.0 * sum(self.lately[tag] for tag in line.who)

    def _take(self, pair: Couplet) -> Couplet:
        first, second = sorted(pair, key=lambda line: line.order)
        for line in (first, second):
            self._note(line)
        return first, second

    def _note(self, line: Line) -> None:
        self._unsettle(line)
        self.prices.clear()
        self.used_texts.add(line.text)
        self.used_templates.add(line.template.id)
        self.ends[line.end] += 1
        self.halves_told.update(line.halves)
        self.shown |= line.tags
        self.lines.append(line)
        self.lately = Counter(t for seen in self.lines[-6:] for t in seen.who)

    def _unsettle(self, told: Line) -> None:
        """Forget the settled cost of the lines that telling this one makes dearer: those
        of its template and those that share a half with it."""
        for key in (told.template.id, *told.halves):
            for line_id in self._alike.get(key, ()):
                self.settled.pop(line_id, None)

    @cached_property
    def _alike(self) -> dict[str, list[int]]:
        """Tonight's lines by their template, and by each of their halves."""
        alike: defaultdict[str, list[int]] = defaultdict(list)
        for line in (line for pool in self.pools.values() for line in pool):
            for key in (line.template.id, *line.halves):
                alike[key].append(id(line))
        return alike

    # --- the title and the summary -----------------------------------------------
    def _title(self) -> tuple[str, str]:
        plot_title = template(self.plot.title, f"title-{self.plot.kind}")
        if told := self._title_option(plot_title):
            return told[0], told[1].id
        options = [option for option in map(self._title_option, _titles()) if option]
        options = options or [(f"{self.cast[0].handle} and {self.cast[1].handle}", _titles()[0])]
        text, tpl = min(options, key=lambda o: self._title_cost(*o))
        return text, tpl.id

    def _title_cost(self, text: str, tpl: Template) -> float:
        """More for a title of a template told lately, or one naming the place as a title
        of the last nights did."""
        place = self.where["place"].casefold()
        again = place in text.casefold() and any(place in t for t in self.memory.titles)
        return self.memory.cost(tpl.id) + _TITLE_PLACE_AGAIN * again + self.rng.random()

    def _title_option(self, tpl: Template) -> tuple[str, Template] | None:
        """The title filled from what happened tonight, or None when it would name
        something the story never tells, or a title of the last nights."""
        first, second = self.cast[0], self.cast[1]
        if "{A}" in tpl.text and first.called == second.called:
            return None
        if "{Own}" in tpl.text and not self.own:
            return None
        told = " ".join(line.text for line in self.lines)
        names = self.names

        def one_told(options: Sequence[str]) -> str:
            said = [o for o in options if happens_in(o, told, names)]
            return self.rng.choice(said or list(options) or [""])

        values = {
            "a": first.handle,
            "b": second.handle,
            "A": first.called.title(),
            "B": second.called.title(),
            "scene": self.brief.scene.name,
            "bare": _bare(self.brief.scene.name),
            "place": self.where["place"],
            "Things": one_told(self.scene.things),
            "Own": one_told(self.own).title(),
            "Adj": self.rng.choice(vocab.TITLE_WORDS),
            "X": self.cast[self.hero].handle,
            "Thing": self.thing.title()
            if tpl.pool.startswith("title-")
            else one_told(self.scene.thing),
        }
        text = fill(tpl.text, values)
        if text.casefold() in self.memory.titles or not happens_in(text, told, names):
            return None
        return text, tpl

    def _summary(self) -> str:
        deeds = list(dict.fromkeys(line.template.deed for line in self.lines if line.template.deed))
        deeds = [fill(deed, {"thing": self.thing}) for deed in deeds]
        who = " and ".join(
            c.name if c.name_says_kind else f"{c.name} the {c.called}" for c in self.cast
        )
        did = " and ".join(deeds[:2]) or "watched the stars"
        return f"{who} {did} {self.where['place']}, then fell asleep."


@lru_cache(maxsize=16)
def _lines_for(characters: tuple[Entry, Entry], scene: Entry, level: Level) -> _Lines:
    """The lines of this cast in this scene for this age: the same every night, so
    worked out once for them."""
    return _Lines(characters, scene, level)


class _Lines:
    """The lines of a cast in a scene, for a listener's age, from the templates."""

    def __init__(self, characters: tuple[Entry, Entry], scene: Entry, level: Level) -> None:
        self.level = level
        self.cast: tuple[Character, ...] = tuple(read_character(c) for c in characters)
        self.kind = scene_kind(scene)
        self.scene = vocab.SCENES[self.kind]
        self.where = {"scene": scene.name, "place": place(scene)}
        self.own = own_things(scene)
        names = [*(c.name for c in self.cast), *(c.handle for c in self.cast), scene.name]
        names = list(dict.fromkeys(names))
        self.names = tuple(sorted(names, key=len, reverse=True))  # "Pipkin" before "Pip"
        # a character is named in full when they come in, by their handle after that
        self.bound = {
            (x, y, full): {**self.where, **self._as("x", x, full), **self._as("y", y, full)}
            for x, y in ((0, 1), (1, 0))
            for full in (True, False)
        }

    @cached_property
    def pools(self) -> dict[str, tuple[Line, ...]]:
        """Every line each part of the story can tell."""
        return {
            section: tuple(_partnered(self._render(specs, full_names=section == "meet")))
            for section, specs in self._sections().items()
        }

    def _sections(self) -> dict[str, list[tuple[Template, str]]]:
        """Each part of the story: its templates, each with the tag its lines carry."""
        scene, kinds = self.scene, list(dict.fromkeys(c.kind.name for c in self.cast))

        def pool(name: str, texts: Iterable[str], tag: str = "") -> list[tuple[Template, str]]:
            return [(t, tag) for t in _templates(name, tuple(texts))]

        characters = [(t, "kind") for k in kinds for t in _templates(k, vocab.KIND_LINES[k])]
        rests = [(t, "rest") for k in kinds for t in _templates(f"{k}-rest", vocab.REST_LINES[k])]
        features = [
            (t, "feature")
            for kind, texts in vocab.FEATURE_LINES.items()
            for t in _templates(f"feature-{kind}", texts)
        ]
        calm = pool("calm", vocab.CALM) + pool(f"{self.kind}-calm", scene.calm, "scene") + rests
        calm += pool("own-calm", vocab.OWN_CALM, "own")
        dusk = pool("dusk", vocab.DUSK) + pool(f"{self.kind}-dusk", scene.dusk, "scene")
        return {
            "dusk": dusk + pool("own-dusk", vocab.OWN_DUSK, "own"),
            "meet": pool("meet", vocab.MEET, "intro") + pool("meet", vocab.MEET_PARTNERS),
            "explore": pool(f"{self.kind}-explore", scene.explore, "scene")
            + pool("walk", vocab.NIGHT_HUSH, "anywhere")
            + pool("walk-out", vocab.NIGHT_WALK if scene.outdoors else (), "anywhere")
            + pool("actions", vocab.ACTIONS)
            + pool("own", vocab.OWN_EXPLORE, "own")
            + pool("stops", _stops(), "stop")
            + characters
            + features,
            "sky": pool("sky", vocab.SKY),
            "friends": pool("friends", vocab.FRIENDS),
            "games": pool("games", vocab.GAMES),
            "questions": pool("questions", vocab.QUESTIONS[::2], "ask")
            + pool("questions", vocab.QUESTIONS[1::2], "answer"),
            "calm": calm,
            "end": calm + pool("sleep", vocab.SLEEP, "sleep"),
        }

    def _render(self, specs: list[tuple[Template, str]], full_names: bool) -> list[Line]:
        lines: dict[str, Line] = {}
        for order, (tpl, tag) in enumerate(specs):
            if tpl.scenes and self.kind not in tpl.scenes:
                continue
            rng = random.Random(tpl.id)  # the same ways every night: the canon knows them
            for values, tags in self._bindings(tpl, tag, full_names):
                source = _own_choices(tpl.text, values)
                for text in skeletons(source, self.level.style, rng, VARIANTS):
                    line = self._line(tpl, text, values, tags, order)
                    if line and line.text not in lines:
                        lines[line.text] = line
        return list(lines.values())

    def _bindings(
        self, tpl: Template, tag: str, full_names: bool
    ) -> Iterable[tuple[dict[str, str], set[str]]]:
        """The slot values a template can take: each character as {x}, each feature, each
        of the scene's own things as {own}."""
        found = self._cast_bindings(tpl, tag, full_names)
        if "own" not in tpl.slots():
            yield from found
            return
        for values, tags in found:
            for thing in self.own:
                yield {**values, "own": thing}, tags

    def _cast_bindings(
        self, tpl: Template, tag: str, full_names: bool
    ) -> Iterable[tuple[dict[str, str], set[str]]]:
        slots = tpl.slots()
        named = {"named"} if slots & {"place", "scene"} else set()
        if not any(slot[0] in "xy" for slot in slots):
            yield dict(self.where), {tag, *named} - {""}
            return
        for (x, y, full), values in self.bound.items():
            if full != full_names:
                continue
            who = x if any(s.startswith("x") for s in slots) else y
            if tag == "kind" and self.cast[who].kind.name != tpl.pool:
                continue
            if tag == "rest" and f"{self.cast[who].kind.name}-rest" != tpl.pool:
                continue
            if tag == "feature":
                yield from self._features(tpl, values, who)
                continue
            tags = {f"{tag}:{who}" if tag in _PER_CHARACTER else tag, f"who:{who}", *named}
            yield values, tags - {""}

    def _features(
        self, tpl: Template, values: dict[str, str], who: int
    ) -> Iterable[tuple[dict[str, str], set[str]]]:
        for feature in self.cast[who].features:
            if tpl.pool == f"feature-{feature.kind}":
                yield (
                    {**values, "x.f": feature.phrase},
                    {f"feature:{who}:{feature.phrase}", f"who:{who}"},
                )

    def _as(self, role: str, index: int, full: bool) -> dict[str, str]:
        character = self.cast[index]
        return {
            role: character.name if full else character.handle,
            f"{role}.kinded": "yes" if character.name_says_kind else "",
            f"{role}.noun": character.called,
            f"{role}.described": character.called if self.level.plain else character.described,
            f"{role}.moved": character.kind.moved,  # "(trundled|scurried)": a choice
            f"{role}.sound": character.kind.sound,
            f"{role}.feet": character.kind.feet,
        }

    def _fit(self, text: str, values: dict[str, str]) -> str:
        """The line, spare words left out until it is short enough for the listener."""
        line = fill(text, values)
        while _syllables(line) > self.level.band[1] and (shorter := pare(text)):
            text, line = shorter, fill(shorter, values)
        return line

    def _line(
        self, tpl: Template, text: str, values: dict[str, str], tags: set[str], order: int
    ) -> Line | None:
        text = self._fit(text, values)
        facts = _facts(text, self.names)
        if facts is None:
            return None
        end, sounds, said, content = facts
        count, (low, high) = _syllables(text), self.level.band
        return Line(
            text,
            tpl,
            frozenset(tags),
            f"{tpl.id}.{said}",
            end,
            sounds,
            count,
            order,
            content,
            words=len(text.split()),
            in_band=low <= count <= high,
            who=tuple(sorted(t for t in tags if t[:4] == "who:")),
            halves=_stop_halves().get(tpl.text, frozenset()),
        )


@cache
def _stop_halves() -> dict[str, frozenset[str]]:
    """Each stop of the walk, and its two halves."""
    return {f"{doing} {where}.": frozenset((doing, where)) for doing, where in vocab.STOPS}


def _stops() -> tuple[str, ...]:
    return tuple(_stop_halves())


@cache
def _titles() -> tuple[Template, ...]:
    return _templates("title", vocab.TITLES)


def _own_choices(text: str, values: dict[str, str]) -> str:
    """The template with its characters' own choices in it ("{x.moved}": "(hopped|bounced)"),
    so each way of moving makes its own line."""
    for role in ("x", "y"):
        if values.get(f"{role}.kinded"):  # "Granny Tortoise", never "Granny Tortoise the tortoise"
            for said in ("noun", "described"):
                text = text.replace(f"{{{role}}} the {{{role}.{said}}}", f"{{{role}}}")
        slot = f"{{{role}.moved}}"
        if slot in text:
            text = text.replace(slot, values[f"{role}.moved"])
    return text


def _partnered(lines: list[Line]) -> list[Line]:
    """The lines that some other line of theirs can make a couplet with, in a listener's
    metre if they are in it themselves."""
    by_sound: defaultdict[str, list[Line]] = defaultdict(list)
    for line in lines:
        for sound in line.sounds:
            by_sound[sound].append(line)

    def partnered(line: Line) -> bool:
        return any(
            (other.in_band or not line.in_band)
            and (_fits(line, other) or _fits(other, line))
            and apart(line.end, other.end)
            for sound in line.sounds
            for other in by_sound[sound]
        )

    return [line for line in lines if partnered(line)]


def _fits(first: Line, second: Line) -> bool:
    """Two lines can make a couplet: different templates, and a question gets its own
    answer, from the other character."""
    if first.template.id == second.template.id:
        return False
    if "ask" in first.tags:
        asker = set(first.who)
        return _answers().get(first.template.id) == second.template.id and not asker & second.tags
    return "answer" not in second.tags


@cache
def _answers() -> dict[str, str]:
    """Each question's template id, and its answer's."""
    asks = _templates("questions", vocab.QUESTIONS[::2])
    answers = _templates("questions", vocab.QUESTIONS[1::2])
    return {ask.id: answer.id for ask, answer in zip(asks, answers, strict=True)}


@lru_cache(maxsize=1 << 16)
def _syllables(line: str) -> int:
    return syllables(line)


@lru_cache(maxsize=1 << 16)
def _facts(
    text: str, names: tuple[str, ...]
) -> tuple[str, frozenset[str], str, frozenset[str]] | None:
    """A line's last word and its rhyming sounds, the id of its words, its longer words;
    None for a line that cannot rhyme."""
    end = last_word(text)
    sounds = rhyme_sounds(end) if end else frozenset()
    if not sounds:
        return None
    return end, sounds, _said(text, names), frozenset(_content(text))


@lru_cache(maxsize=1 << 16)
def near_copies(a: str, b: str) -> bool:
    """Whether two plain lines say almost the same: a difflib ratio of NEAR or more."""
    return _near(difflib.SequenceMatcher(None, a, b))


def with_near_copies(lines: Iterable[str], others: Iterable[str]) -> set[str]:
    """The lines that have a near-copy among the others (as `near_copies` finds them)."""
    waiting, found = set(lines), set()
    matcher = difflib.SequenceMatcher(None)
    for other in set(others):  # difflib works out the second string once for all the first
        matcher.set_seq2(other)
        for line in list(waiting):
            matcher.set_seq1(line)
            if _near(matcher):
                waiting.discard(line)
                found.add(line)
    return found


def _near(matcher: difflib.SequenceMatcher[str]) -> bool:
    return (
        matcher.real_quick_ratio() >= NEAR
        and matcher.quick_ratio() >= NEAR
        and matcher.ratio() >= NEAR
    )


def plain_line(text: str, names: Sequence[str]) -> str:
    """The line's words with every name set aside ("·"), case and punctuation too: the
    same line whichever character or template it came from. `names` longest first."""
    for name in names:
        text = text.replace(name, "·")
    return " ".join(_SAID.findall(text.casefold()))


# Words a title may use whatever the story tells: it is a night, and they are friends.
_TITLE_FREE = {
    "a", "an", "and", "the", "of", "for", "in", "on", "at", "by", "to", "under", "two",
    "friends", "night", "goodnight", "says", "hush", "s",
    *(word.casefold() for word in vocab.TITLE_WORDS),
}  # fmt: skip


def happens_in(title: str, story: str, names: Sequence[str]) -> bool:
    """Whether every thing the title names (apart from the names, the scene's among
    them) is told in the story: "A Firefly for Pip" needs a firefly."""
    longest_first = sorted(names, key=len, reverse=True)
    told = {_stem(word) for word in plain_line(story, longest_first).split()}
    named = plain_line(title, longest_first).split()
    return all(_stem(word) in told for word in named if "·" not in word and word not in _TITLE_FREE)


def _stem(word: str) -> str:
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def _said(text: str, names: tuple[str, ...]) -> str:
    """A line's plain words as a short stable id."""
    return hashlib.sha256(plain_line(text, names).encode()).hexdigest()[:6]


def _content(text: str) -> set[str]:
    return {w for w in words(text.casefold()) if len(w) > 3 and w not in _COMMON}


def _bare(name: str) -> str:
    return name[4:] if name.lower().startswith("the ") else name


def _wind_down_count(before: int) -> int:
    """How many calm stanzas to add to `before` stanzas so that spoken_lines, counting
    the whole story, marks exactly those as the wind-down."""
    calm = 1
    while wind_down_stanzas(before + calm) > calm:
        calm += 1
    return calm
