"""The shape of one edition's demo texts, shared by the English and the Persian edition."""

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SectionText:
    key: str
    title: str
    intro: str
    parent: str | None = None  # key of the parent section; None for a top-level section
    slug: str = ""  # English pages only: translations keep the English slug


@dataclass(frozen=True)
class AuthorText:
    key: str
    name: str
    role: str
    bio: str
    beats: tuple[str, ...] = ()  # section keys the author usually writes for


@dataclass(frozen=True)
class ProsePageText:
    """A StandardPage: title, intro and body as (block type, text) pairs."""

    key: str
    title: str
    intro: str
    body: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ContactPageText:
    title: str
    intro: str
    thank_you: str
    subject: str
    fields: tuple[tuple[str, str, str], ...]  # (clean name, label, field type)


@dataclass(frozen=True)
class StoryKind:
    """A kind of story a section runs, with the phrases that tell it; {slots} are filled in."""

    headlines: tuple[str, ...]
    standfirsts: tuple[str, ...]
    sentences: tuple[str, ...]  # the first one leads the article
    tags: tuple[str, ...]


@dataclass(frozen=True)
class FixedStory:
    """A story with a headline given by the brief, dated exactly or by its age in days."""

    section: str
    title: str
    standfirst: str
    paragraphs: tuple[str, ...]
    tags: tuple[str, ...]
    authors: tuple[str, ...]
    published: datetime.date | None = None
    days_ago: float | None = None
    complete: bool = False  # True when the paragraphs are the whole body, with no filler


@dataclass(frozen=True)
class EditionTexts:
    language: str
    home_title: str
    home_label: str
    latest_title: str
    authors_title: str
    authors_intro: str
    sections: tuple[SectionText, ...]
    authors: tuple[AuthorText, ...]
    prose_pages: tuple[ProsePageText, ...]
    contact: ContactPageText
    kinds: dict[str, tuple[StoryKind, ...]]  # by section key
    section_sentences: dict[str, tuple[str, ...]]
    general_sentences: tuple[str, ...]
    headings: tuple[str, ...]
    quotes: dict[str, tuple[tuple[str, str], ...]]  # (quotation, who said it) by section key
    slots: dict[str, tuple[str, ...]]
    image_captions: dict[str, str] = field(default_factory=dict)  # by image key
    fixed_stories: tuple[FixedStory, ...] = ()
    translated_stories: dict[str, FixedStory] = field(default_factory=dict)  # by English title
    title_case: bool = False  # English headlines capitalise each main word
