"""The demo paper's printed issues and archive links (a stage of `load_demo`).

Each edition gets the last few weekly issues and one issue every few years back to the first,
so that a reader can walk the paper from 1970 by printed issue. Each has a drawn front page,
a one-page PDF (Pillow writes it; no PDF library is needed) and a table of contents of that
week's demo articles. Like the rest of the demo, a second run creates nothing.
"""

import datetime
from io import BytesIO

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image, ImageDraw, ImageFont
from wagtail.documents import get_document_model
from wagtail.models import Collection, Locale

from masthead.content.demo import images
from masthead.content.models import ArticlePage
from masthead.core.models import Menu, MenuItem, MenuSlot

from .calendars import calendar_for
from .models import Issue, IssueArticle
from .querysets import articles_of_edition

DEMO_ISSUES = 4  # weekly issues per edition, the newest first
HISTORIC_ISSUE_EVERY = 5  # years between the older issues (1970, 1975, ...); each costs a drawing
ARCHIVE_LABELS = {"en": "Archive", "fa": "بایگانی"}
FRONT_PAGE_SIZE = (850, 1200)
PDF_PAGE_SIZE = (425, 600)  # small enough to keep the demo light
CONTENTS_PER_ISSUE = 6
FOUNDING_YEAR = 1970


def build_archive(paper_name: str) -> int:
    """Create the printed issues and the archive's menu links of both editions; return how many."""
    created = 0
    if not Collection.get_first_root_node():  # images and documents are filed under it
        Collection.add_root(name="Root")
    for language in ARCHIVE_LABELS:
        locale = Locale.objects.filter(language_code=language).first()
        if locale is None:
            continue
        created += add_archive_links(locale, language)
        created += add_issues(locale, language, paper_name)
    return created


def add_archive_links(locale: Locale, language: str) -> int:
    """Link the archive at the end of the edition's footer, once.

    The main menu reaches it through the news mega-menu's archive tab (MenuItem.archive_tab).
    """
    with translation.override(language):
        address = reverse("archive:index")
    created = 0
    for slot in (MenuSlot.FOOTER,):
        menu = Menu.objects.filter(slot=slot, locale=locale).first()
        if menu is None or menu.items.filter(link_url=address).exists():
            continue
        last = menu.items.order_by("-sort_order").values_list("sort_order", flat=True).first()
        MenuItem.objects.create(
            menu=menu,
            sort_order=(last or 0) + 1,
            label=ARCHIVE_LABELS[language],
            link_url=address,
        )
        created += 1
    return created


def add_issues(locale: Locale, language: str, paper_name: str) -> int:
    calendar = calendar_for(language)
    newest = articles_of_edition(locale).order_by("-first_published_at").first()
    if newest is None:
        return 0
    # A weekly paper: the issue day is the newest story's day, then one week back each time;
    # further back, the day of the first story of every few years.
    last_day = timezone.localtime(newest.first_published_at).date()
    days = [last_day - datetime.timedelta(weeks=weeks) for weeks in range(DEMO_ISSUES)]
    days += historic_issue_days(locale, last_day.year)
    created = 0
    for seed, day in enumerate(days):
        year, _month, _day = calendar.from_gregorian(day)
        year_start = calendar.to_gregorian(year, 1, 1)
        number = (day - year_start).days // 7 + 1
        volume = day.year - FOUNDING_YEAR + 1
        if Issue.objects.filter(locale=locale, volume=volume, number=number).exists():
            continue
        title = f"Demo issue {language} {volume}-{number}"
        issue = Issue(
            locale=locale,
            volume=volume,
            number=number,
            publication_date=day,
            front_page=front_page_image(title, paper_name, day, volume, number, seed=seed),
            pdf=printed_pdf(title, paper_name, day, volume, number, seed=seed),
        )
        issue.contents = [
            IssueArticle(article=article, sort_order=order, printed_page=order + 1)
            for order, article in enumerate(week_articles(locale, day))
        ]
        issue.save()
        created += 1
    return created


def historic_issue_days(locale: Locale, before_year: int) -> list[datetime.date]:
    """The day of the edition's first story of each five years (1970-74, 1975-79, ...), up to
    the year before last (the recent weekly issues cover the rest)."""
    days = []
    for year in range(FOUNDING_YEAR, before_year - 1, HISTORIC_ISSUE_EVERY):
        first = (
            articles_of_edition(locale)
            .filter(
                first_published_at__year__gte=year,
                first_published_at__year__lt=min(year + HISTORIC_ISSUE_EVERY, before_year - 1),
            )
            .order_by("first_published_at")
            .values_list("first_published_at", flat=True)
            .first()
        )
        if first is not None:
            days.append(timezone.localtime(first).date())
    return days


def week_articles(locale: Locale, day: datetime.date) -> list[ArticlePage]:
    """The week's stories up to the issue day, oldest first, as the paper prints them."""
    end = timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))
    start = end - datetime.timedelta(days=7)
    return list(
        articles_of_edition(locale)
        .filter(first_published_at__gt=start, first_published_at__lte=end)
        .order_by("-first_published_at")[:CONTENTS_PER_ISSUE]
    )[::-1]


def draw_front_page(
    paper_name: str, day: datetime.date, volume: int, number: int, seed: int
) -> Image.Image:
    """Draw a front page: the name, the issue line, a picture and grey columns of type."""
    width, height = FRONT_PAGE_SIZE
    page = Image.new("RGB", FRONT_PAGE_SIZE, (250, 248, 242))
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default
    draw.text(
        (width / 2, 90), paper_name.upper(), font=font(size=84), fill=(17, 24, 39), anchor="mm"
    )
    draw.line([(40, 150), (width - 40, 150)], fill=(17, 24, 39), width=3)
    issue_line = f"Vol. {volume}  No. {number}  {day.isoformat()}"
    draw.text((width / 2, 175), issue_line, font=font(size=24), fill=(55, 65, 81), anchor="mm")
    draw.line([(40, 200), (width - 40, 200)], fill=(17, 24, 39), width=1)
    subject = images.SUBJECTS[seed % len(images.SUBJECTS)]
    picture = images.draw_picture(subject, seed=seed).resize((width - 80, (width - 80) * 9 // 16))
    page.paste(picture, (40, 230))
    top = 230 + picture.height + 30
    column = (width - 80 - 40) // 3
    for index in range(3):
        left = 40 + index * (column + 20)
        for line in range(top, height - 40, 22):
            draw.rectangle([left, line, left + column, line + 9], fill=(200, 200, 196))
    return page


def front_page_image(title: str, paper_name: str, day, volume: int, number: int, *, seed: int):
    return images.get_or_create_image(
        f"{title}: front page",
        f"{title.lower().replace(' ', '-')}-front.jpg",
        lambda: draw_front_page(paper_name, day, volume, number, seed),
        caption=f"Front page, {day.isoformat()}",
    )


def printed_pdf(title: str, paper_name: str, day, volume: int, number: int, *, seed: int):
    """Return the issue's one-page PDF from the document library, writing it if missing."""
    document_model = get_document_model()
    existing = document_model.objects.filter(title=f"{title}: PDF").first()
    if existing:
        return existing
    page = draw_front_page(paper_name, day, volume, number, seed).resize(PDF_PAGE_SIZE)
    buffer = BytesIO()
    page.save(buffer, format="PDF", resolution=72, title=f"{paper_name} {day.isoformat()}")
    document = document_model(
        title=f"{title}: PDF",
        file=ContentFile(buffer.getvalue(), name=f"{title.lower().replace(' ', '-')}.pdf"),
    )
    document._set_document_file_metadata()
    document.save()
    return document
