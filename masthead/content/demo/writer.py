"""Write article drafts from an edition's phrases: deterministic, and without the database."""

import datetime
import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from html import escape

from django.utils.text import slugify

from .editions import AuthorText, EditionTexts, FixedStory, StoryKind

ARCHIVE = "archive"  # an old story from the back issues: filed under one of ARCHIVE_SOURCES
ARCHIVE_SOURCES = ("news", "politics", "society", "economy")
ARCHIVE_BEFORE_YEAR = 2000  # older stories are often hard news from the back issues
SECTION_WEIGHTS = {
    "news": 3,
    "politics": 3,
    "society": 2,
    "diaspora": 2,
    "economy": 3,
    "tidbits": 2,
    "culture": 2,
}
FIRST_ISSUE = datetime.datetime(1970, 1, 9, 15, tzinfo=datetime.UTC)
QUIET_DAYS = 45  # generated stories keep this far from a dated story in its section
RECENCY_BIAS = 2.2  # above 1: more stories in recent years than in the paper's early ones
SMALL_WORDS = {"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "of", "on"}
SMALL_WORDS |= {"or", "the", "to", "with"}
SLUG_LENGTH = 80  # at most; cut at a word boundary
ZERO_WIDTH_NON_JOINER = "\u200c"


# Access levels of the newest story of some sections (by position in SECTION_WEIGHTS).
RECENT_ACCESS_LEVELS = {1: "subscribers", 2: "registered", 3: "subscribers", 5: "subscribers"}


@dataclass(frozen=True)
class Picture:
    image_id: int
    caption: str  # in the edition's language; empty to print the image's own caption
    sections: tuple[str, ...]


@dataclass(frozen=True)
class ArticleDraft:
    section: str
    title: str
    slug: str
    standfirst: str
    body: list[dict]
    tags: tuple[str, ...]
    authors: tuple[str, ...]
    published_at: datetime.datetime
    access_level: str
    lead_image_id: int | None
    lead_image_caption: str = ""  # in the edition's language; empty for the image's own


def slug_for(title: str) -> str:
    """Return a page slug for a headline; Persian keeps its letters, split at half-spaces."""
    slug = slugify(title.replace(ZERO_WIDTH_NON_JOINER, " "), allow_unicode=True)
    if len(slug) > SLUG_LENGTH:
        word_break = slug.rfind("-", 0, SLUG_LENGTH + 1)
        slug = slug[: word_break if word_break > 0 else SLUG_LENGTH]
    return slug


def headline_case(title: str) -> str:
    """Capitalise each main word, as English headlines are set in the paper."""
    words = title.split(" ")
    return " ".join(
        word[:1].upper() + word[1:] if index == 0 or word not in SMALL_WORDS else word
        for index, word in enumerate(words)
    )


class ArticleWriter:
    """Write one edition's articles; the same seed and arguments write the same paper."""

    def __init__(
        self,
        texts: EditionTexts,
        *,
        authors: Sequence[AuthorText],
        pictures: Sequence[Picture],
        seed: int,
        now: datetime.datetime,
        tz: datetime.tzinfo,
    ):
        self.texts = texts
        self.authors = authors
        self.pictures = pictures
        self.rng = random.Random(seed)  # noqa: S311 - demo text, not a secret
        self.now = now
        self.tz = tz
        self.slugs: set[str] = set()
        self.titles: set[str] = set()
        self.dated: list[tuple[str, datetime.datetime]] = []

    def fixed_story(self, story: FixedStory) -> ArticleDraft:
        """Write a story whose headline and opening paragraphs are given."""
        published_at = self._fixed_date(story)
        if story.published:
            self.dated.append((story.section, published_at))
        slots = self._draw_slots()
        paragraphs = list(story.paragraphs)
        if not story.complete:
            filler = self._sentence_pool(story.section, kind=None, slots=slots)
            wanted = self.rng.randint(4, 7)
            while len(paragraphs) < wanted and filler:
                paragraphs.append(" ".join(filler.pop() for _ in range(min(2, len(filler)))))
        body = [self._paragraph(text) for text in paragraphs]
        return ArticleDraft(
            section=story.section,
            title=story.title,
            slug=self._unique_slug(story.title),
            standfirst=story.standfirst,
            body=body,
            tags=story.tags,
            authors=story.authors,
            published_at=published_at,
            access_level="public",
            **self._lead(self._pick_picture(story.section) if self.pictures else None),
        )

    def generated_stories(self, count: int, newest_age: datetime.timedelta) -> list[ArticleDraft]:
        """Write `count` stories from the newest (`newest_age` old) back to the first issue."""
        drafts = []
        topical = list(SECTION_WEIGHTS)
        for index, published_at in enumerate(self._generated_dates(count, newest_age)):
            if index < len(topical):
                section = topical[index]  # every section gets a recent story
            elif index == count - 1 or (
                published_at.year < ARCHIVE_BEFORE_YEAR and self.rng.random() < 0.5
            ):
                section = ARCHIVE
            else:
                section = self._weighted_section()
            if self._too_close_to_dated_story(section, published_at):
                crowded = {
                    s for s in SECTION_WEIGHTS if self._too_close_to_dated_story(s, published_at)
                }
                section = self._weighted_section(exclude=crowded)
            # The newest stories reach the front page: some of them are premium for sure.
            access_level = RECENT_ACCESS_LEVELS.get(index) if index < len(topical) else None
            drafts.append(self._generated_story(section, published_at, access_level))
        return drafts

    def _generated_story(
        self, section: str, published_at: datetime.datetime, access_level: str | None = None
    ) -> ArticleDraft:
        source = self.rng.choice(ARCHIVE_SOURCES) if section == ARCHIVE else section
        kind, slots, title = self._fresh_headline(source)
        drawn = self._access_level()  # drawn always, so the rest of the paper stays the same
        access_level = access_level or drawn
        lead = self._pick_picture(source) if self.pictures and self.rng.random() < 0.85 else None
        return ArticleDraft(
            section=source,
            title=title,
            slug=self._unique_slug(title),
            standfirst=self.rng.choice(kind.standfirsts).format(**slots),
            body=self._body(source, kind, slots, access_level != "public", lead),
            tags=self._tags(kind, source),
            authors=self._bylines(section, source),
            published_at=published_at,
            access_level=access_level,
            **self._lead(lead),
        )

    @staticmethod
    def _lead(picture: Picture | None) -> dict:
        """Return a draft's lead image fields for a picture, or none."""
        if picture is None:
            return {"lead_image_id": None}
        return {"lead_image_id": picture.image_id, "lead_image_caption": picture.caption}

    def _fixed_date(self, story: FixedStory) -> datetime.datetime:
        if story.published:
            return datetime.datetime.combine(story.published, datetime.time(10), tzinfo=self.tz)
        return (self.now - datetime.timedelta(days=story.days_ago)).replace(second=0, microsecond=0)

    def _generated_dates(
        self, count: int, newest_age: datetime.timedelta
    ) -> list[datetime.datetime]:
        """Spread dates over the paper's life, one per stratum, denser in recent years."""
        span = self.now - newest_age - FIRST_ISSUE
        dates = []
        for index in range(count):
            position = (index + self.rng.random()) / count
            published_at = self.now - newest_age - span * position**RECENCY_BIAS
            dates.append(published_at.replace(second=0, microsecond=0))
        return dates

    def _too_close_to_dated_story(self, section: str, published_at: datetime.datetime) -> bool:
        quiet = datetime.timedelta(days=QUIET_DAYS)
        return any(s == section and abs(published_at - d) < quiet for s, d in self.dated)

    def _weighted_section(self, exclude: Collection[str] = ()) -> str:
        sections = [s for s in SECTION_WEIGHTS if s not in exclude]
        return self.rng.choices(sections, weights=[SECTION_WEIGHTS[s] for s in sections])[0]

    def _draw_slots(self) -> dict[str, str]:
        return {name: self.rng.choice(values) for name, values in self.texts.slots.items()}

    def _fresh_headline(self, section: str) -> tuple[StoryKind, dict[str, str], str]:
        """Pick a story kind, its slot values and a headline not yet used in the edition."""
        for _ in range(8):
            kind = self.rng.choice(self.texts.kinds[section])
            slots = self._draw_slots()
            title = self.rng.choice(kind.headlines).format(**slots)
            if self.texts.title_case:
                title = headline_case(title)
            if title not in self.titles:
                break
        self.titles.add(title)
        return kind, slots, title

    def _unique_slug(self, title: str) -> str:
        base = slug_for(title)
        slug, number = base, 2
        while slug in self.slugs:
            slug, number = f"{base}-{number}", number + 1
        self.slugs.add(slug)
        return slug

    def _access_level(self) -> str:
        draw = self.rng.random()
        if draw < 0.78:
            return "public"
        return "registered" if draw < 0.9 else "subscribers"

    def _sentence_pool(self, section: str, kind: StoryKind | None, slots) -> list[str]:
        """Return sentences to draw from with pop(): the story's own first, then the rest."""
        background = [
            *self.texts.section_sentences.get(section, ()),
            *self.texts.general_sentences,
        ]
        self.rng.shuffle(background)
        own = list(kind.sentences[1:]) if kind else []
        self.rng.shuffle(own)
        return [self._sentence(s, slots) for s in reversed([*own, *background])]

    def _sentence(self, template: str, slots: dict[str, str]) -> str:
        text = template.format(**slots)
        return text[:1].upper() + text[1:]

    def _body(
        self,
        section: str,
        kind: StoryKind,
        slots: dict[str, str],
        premium: bool,
        lead: Picture | None,
    ) -> list[dict]:
        pool = self._sentence_pool(section, kind, slots)
        paragraphs = self.rng.randint(4, 10)
        blocks = [self._paragraph(self._sentence(kind.sentences[0], slots))]
        for number in range(2, paragraphs + 1):
            if number == 3 and premium and self.rng.random() < 0.6:
                blocks.append({"type": "preview_break", "value": None})
            if number == 3 and self.rng.random() < 0.4:
                text, attribution = self.rng.choice(self.texts.quotes[section])
                value = {"text": text, "attribution": attribution.format(**slots)}
                blocks.append({"type": "quote", "value": value})
            if number == 4 and self.pictures and self.rng.random() < 0.25:
                picture = self._pick_picture(section, avoid=lead)
                value = {"image": picture.image_id, "caption": picture.caption}
                blocks.append({"type": "image", "value": value})
            if number == paragraphs // 2 + 2 and self.rng.random() < 0.5:
                value = {"text": self.rng.choice(self.texts.headings), "level": "h2"}
                blocks.append({"type": "heading", "value": value})
            sentences = [pool.pop() for _ in range(min(self.rng.randint(1, 2), len(pool)))]
            if not sentences:
                break
            blocks.append(self._paragraph(" ".join(sentences)))
        return blocks

    def _paragraph(self, text: str) -> dict:
        return {"type": "paragraph", "value": f"<p>{escape(text, quote=False)}</p>"}

    def _tags(self, kind: StoryKind, section: str) -> tuple[str, ...]:
        tags = list(kind.tags[: self.rng.randint(1, len(kind.tags))])
        if self.rng.random() < 0.4:
            neighbour = self.rng.choice(self.texts.kinds[section])
            tags.extend(t for t in neighbour.tags if t not in tags)
        return tuple(tags[:4])

    def _bylines(self, section: str, source: str) -> tuple[str, ...]:
        on_the_beat = [a.key for a in self.authors if section in a.beats or source in a.beats]
        everyone = [a.key for a in self.authors]
        first = self.rng.choice(
            on_the_beat if on_the_beat and self.rng.random() < 0.85 else everyone
        )
        if self.rng.random() < 0.2:
            second = self.rng.choice([key for key in everyone if key != first])
            return (first, second)
        return (first,)

    def _pick_picture(self, section: str, avoid: Picture | None = None) -> Picture:
        candidates = [p for p in self.pictures if p != avoid]
        preferred = [p for p in candidates if section in p.sections]
        return self.rng.choice(preferred or candidates)
