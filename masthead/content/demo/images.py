"""Pictures for the demo paper, drawn with Pillow so that the demo needs no network."""

import random
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO

from django.core.files.images import ImageFile
from PIL import Image, ImageDraw, ImageFont, ImageOps
from wagtail.images import get_image_model
from wagtail.utils.file import hash_filelike

CREDIT = "Masthead demo image"
RIGHTS = "Drawn for the Masthead demo; free to reuse."
PICTURE_SIZE = (1600, 900)
PORTRAIT_SIZE = (600, 600)


@dataclass(frozen=True)
class Subject:
    key: str
    label: str
    caption: str
    motif: str  # how the picture is drawn: mountains, city, sea, field, interior or pattern
    colours: tuple[str, str]  # dark and light ends of the background gradient
    sections: tuple[str, ...]  # sections whose articles prefer this picture


SUBJECTS = (
    Subject(
        "tehran-skyline",
        "Tehran skyline",
        "Tehran at dusk, with the Alborz mountains behind.",
        "city",
        ("#1d2b4f", "#f2a65a"),
        ("news", "politics"),
    ),
    Subject(
        "alborz",
        "Alborz mountains",
        "Snow on the Alborz range north of the capital.",
        "mountains",
        ("#2f4858", "#dfe7ec"),
        ("tidbits", "society"),
    ),
    Subject(
        "bazaar",
        "Grand Bazaar",
        "A passage of the Tehran bazaar in the morning.",
        "interior",
        ("#5a3921", "#e8c39e"),
        ("economy",),
    ),
    Subject(
        "majlis",
        "Parliament",
        "The parliament building in Tehran.",
        "city",
        ("#243b55", "#8fb3d9"),
        ("politics",),
    ),
    Subject(
        "foreign-ministry",
        "Foreign Ministry",
        "The Foreign Ministry building in Tehran.",
        "city",
        ("#3a3f47", "#c9ccd1"),
        ("news",),
    ),
    Subject(
        "press-conference",
        "Press conference",
        "Reporters at a news conference.",
        "interior",
        ("#1f2a36", "#a7b8c8"),
        ("news", "politics"),
    ),
    Subject(
        "polling-station",
        "Polling station",
        "A polling station on election day.",
        "interior",
        ("#2b4162", "#e0e0e2"),
        ("politics",),
    ),
    Subject(
        "oil-platform",
        "Oil platform",
        "An oil platform in the Persian Gulf.",
        "sea",
        ("#0b3c49", "#f4d35e"),
        ("economy",),
    ),
    Subject(
        "refinery",
        "Refinery",
        "A refinery in the south of the country.",
        "city",
        ("#33261d", "#ee964b"),
        ("economy",),
    ),
    Subject(
        "money-changers",
        "Money changers",
        "Money changers' boards on a Tehran street.",
        "pattern",
        ("#14342b", "#9bc59d"),
        ("economy",),
    ),
    Subject(
        "wheat-field",
        "Wheat fields",
        "Wheat fields before the harvest.",
        "field",
        ("#6b4f1d", "#f6e27f"),
        ("economy", "society"),
    ),
    Subject(
        "pistachio-orchard",
        "Pistachio orchard",
        "A pistachio orchard near Kerman.",
        "field",
        ("#3e5622", "#c7d59f"),
        ("economy",),
    ),
    Subject(
        "port",
        "Bandar Abbas port",
        "Containers at the port of Bandar Abbas.",
        "sea",
        ("#1b3b6f", "#f7b267"),
        ("economy",),
    ),
    Subject(
        "caspian",
        "Caspian shore",
        "The Caspian shore near Rasht.",
        "sea",
        ("#274c77", "#a3cef1"),
        ("tidbits", "society"),
    ),
    Subject(
        "desert-road",
        "Desert road",
        "A road across the central desert.",
        "field",
        ("#7f4f24", "#f3d5b5"),
        ("tidbits",),
    ),
    Subject(
        "reservoir",
        "Reservoir",
        "A reservoir at low water.",
        "mountains",
        ("#5c4b3b", "#b8d8d8"),
        ("news", "society"),
    ),
    Subject(
        "classroom",
        "Classroom",
        "A classroom in a provincial school.",
        "interior",
        ("#2d3a3a", "#d8e2dc"),
        ("society",),
    ),
    Subject(
        "hospital",
        "Hospital",
        "The entrance of a city hospital.",
        "city",
        ("#22577a", "#e7f6f2"),
        ("society",),
    ),
    Subject(
        "apartment-blocks",
        "Apartment blocks",
        "New apartment blocks on the edge of the city.",
        "city",
        ("#4a4e69", "#f2e9e4"),
        ("society", "economy"),
    ),
    Subject(
        "nowruz",
        "Nowruz table",
        "A haft-sin table set for Nowruz.",
        "pattern",
        ("#386641", "#f2e8cf"),
        ("diaspora", "culture"),
    ),
    Subject(
        "persian-shops",
        "Persian shops",
        "Persian shops on a street in Los Angeles.",
        "city",
        ("#3d405b", "#f4f1de"),
        ("diaspora",),
    ),
    Subject(
        "airport",
        "Airport",
        "Travellers in an airport departure hall.",
        "interior",
        ("#1e3d59", "#f5f0e1"),
        ("diaspora",),
    ),
    Subject(
        "campus",
        "University campus",
        "Students on a university campus.",
        "field",
        ("#264653", "#e9c46a"),
        ("diaspora", "society"),
    ),
    Subject(
        "carpet",
        "Persian carpet",
        "Detail of a hand-woven carpet.",
        "pattern",
        ("#6a040f", "#ffba08"),
        ("culture", "economy"),
    ),
    Subject(
        "bookshop",
        "Bookshop",
        "Shelves of a bookshop on Enghelab Street.",
        "interior",
        ("#3c2f2f", "#e6ccb2"),
        ("culture",),
    ),
    Subject(
        "cinema",
        "Cinema",
        "A cinema hall before a screening.",
        "interior",
        ("#240046", "#e0aaff"),
        ("culture",),
    ),
    Subject(
        "musicians",
        "Musicians",
        "Musicians playing the setar and the tombak.",
        "pattern",
        ("#432818", "#ffe6a7"),
        ("culture", "diaspora"),
    ),
    Subject(
        "caravanserai",
        "Caravanserai",
        "The courtyard of an old caravanserai.",
        "interior",
        ("#7f5539", "#ede0d4"),
        ("culture",),
    ),
    Subject(
        "leopard",
        "Persian leopard",
        "A Persian leopard in the wild.",
        "mountains",
        ("#283618", "#dda15e"),
        ("tidbits",),
    ),
    Subject(
        "teahouse",
        "Teahouse",
        "A traditional teahouse in Isfahan.",
        "interior",
        ("#582f0e", "#ffe8d6"),
        ("tidbits", "culture"),
    ),
)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _gradient(size: tuple[int, int], dark: str, light: str) -> Image.Image:
    ramp = Image.linear_gradient("L").resize(size)
    return ImageOps.colorize(ramp, light, dark).convert("RGB")


def _shade(colour: str, factor: float) -> tuple[int, int, int]:
    """Return colour darkened (factor < 1) or lightened (factor > 1)."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return tuple(max(0, min(255, int(c * factor))) for c in (red, green, blue))


def _draw_motif(draw: ImageDraw.ImageDraw, subject: Subject, rng: random.Random) -> None:
    width, height = PICTURE_SIZE
    dark, light = subject.colours
    horizon = int(height * rng.uniform(0.55, 0.7))
    if subject.motif in {"mountains", "sea", "field"}:
        sun = rng.randint(200, width - 200), rng.randint(120, horizon - 150)
        draw.ellipse([sun[0] - 90, sun[1] - 90, sun[0] + 90, sun[1] + 90], fill=_shade(light, 1.1))
    if subject.motif == "mountains":
        for layer, factor in enumerate((0.75, 0.55, 0.4)):
            points = [(0, height)]
            x = 0
            while x < width:
                x += rng.randint(120, 320)
                peak = horizon - rng.randint(80, 320) + layer * 90
                points.append((x, peak))
            points.append((width, height))
            draw.polygon(points, fill=_shade(dark, factor + 0.3))
    elif subject.motif == "sea":
        draw.rectangle([0, horizon, width, height], fill=_shade(dark, 0.9))
        for y in range(horizon + 20, height, 36):
            offset = rng.randint(0, 80)
            for x in range(-offset, width, 160):
                draw.arc([x, y, x + 120, y + 30], 200, 340, fill=_shade(light, 0.8), width=4)
        mast = rng.randint(300, width - 300)
        draw.rectangle([mast - 140, horizon - 160, mast + 140, horizon - 110], fill=dark)
        draw.rectangle([mast - 20, horizon - 320, mast + 20, horizon], fill=dark)
    elif subject.motif == "field":
        draw.rectangle([0, horizon, width, height], fill=_shade(light, 0.75))
        for row in range(12):
            y = horizon + row * (height - horizon) // 12
            draw.line([(0, y), (width, y + rng.randint(-30, 30))], fill=_shade(dark, 1.2), width=3)
        for _ in range(8):
            x = rng.randint(0, width)
            draw.ellipse([x - 50, horizon - 90, x + 50, horizon + 10], fill=_shade(dark, 1.1))
    elif subject.motif == "city":
        x = 0
        while x < width:
            building = rng.randint(80, 220)
            top = horizon - rng.randint(100, 420)
            draw.rectangle([x, top, x + building, height], fill=_shade(dark, rng.uniform(0.6, 1)))
            for wy in range(top + 20, height - 40, 44):
                for wx in range(x + 16, x + building - 24, 36):
                    if rng.random() < 0.45:
                        draw.rectangle([wx, wy, wx + 14, wy + 20], fill=_shade(light, 1.05))
            x += building + rng.randint(4, 30)
    elif subject.motif == "interior":
        for arch in range(5):
            left = 80 + arch * 300
            draw.rectangle([left, 260, left + 220, height], fill=_shade(dark, 0.85))
            draw.ellipse([left, 150, left + 220, 370], fill=_shade(dark, 0.85))
            draw.rectangle([left + 30, 300, left + 190, height], fill=_shade(light, 0.9))
            draw.ellipse([left + 30, 200, left + 190, 360], fill=_shade(light, 0.9))
    else:
        cell = rng.choice((100, 120, 150))
        for y in range(0, height, cell):
            for x in range(0, width, cell):
                colour = _shade(
                    dark if (x // cell + y // cell) % 2 else light, rng.uniform(0.8, 1.1)
                )
                draw.regular_polygon((x + cell / 2, y + cell / 2, cell / 2.2), 8, fill=colour)


def draw_picture(subject: Subject, seed: int) -> Image.Image:
    """Draw a 16:9 picture of the subject's motif with its label in the lower left corner."""
    rng = random.Random(seed)  # noqa: S311 - a picture, not a secret
    picture = _gradient(PICTURE_SIZE, *subject.colours)
    draw = ImageDraw.Draw(picture)
    _draw_motif(draw, subject, rng)
    width, height = PICTURE_SIZE
    draw.rectangle([0, height - 150, width, height], fill=(0, 0, 0))
    draw.text((60, height - 125), subject.label, font=_font(64), fill=(255, 255, 255))
    draw.text((62, height - 48), CREDIT, font=_font(26), fill=(200, 200, 200))
    return picture


def draw_portrait(name: str, seed: int) -> Image.Image:
    """Draw a square head-and-shoulders silhouette with the person's initials."""
    rng = random.Random(seed)  # noqa: S311 - a picture, not a secret
    dark, light = rng.choice([s.colours for s in SUBJECTS])
    portrait = _gradient(PORTRAIT_SIZE, dark, light)
    draw = ImageDraw.Draw(portrait)
    size = PORTRAIT_SIZE[0]
    figure = _shade(dark, 0.6)
    draw.ellipse([size * 0.12, size * 0.62, size * 0.88, size * 1.3], fill=figure)
    draw.ellipse([size * 0.32, size * 0.18, size * 0.68, size * 0.6], fill=figure)
    initials = "".join(part[0] for part in name.split()[:2]).upper()
    draw.text((size / 2, size * 0.86), initials, font=_font(72), fill=light, anchor="mm")
    return portrait


def draw_logo(name: str, tagline: str) -> Image.Image:
    """Draw the paper's name over its tagline, dark on a transparent background."""
    logo = Image.new("RGBA", (1200, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(logo)
    draw.text((600, 100), name.upper(), font=_font(120), fill=(17, 24, 39, 255), anchor="mm")
    draw.line([(300, 178), (900, 178)], fill=(17, 24, 39, 255), width=3)
    draw.text((600, 212), tagline, font=_font(32), fill=(75, 85, 99, 255), anchor="mm")
    return logo


def get_or_create_image(
    title: str,
    filename: str,
    draw: Callable[[], Image.Image],
    *,
    caption: str = "",
):
    """Return the library image with this title, drawing and saving it only when missing."""
    image_model = get_image_model()
    existing = image_model.objects.filter(title=title).first()
    if existing:
        return existing
    picture = draw()
    buffer = BytesIO()
    if filename.endswith(".png"):
        picture.save(buffer, format="PNG", optimize=True)
    else:
        picture.save(buffer, format="JPEG", quality=82, optimize=True, progressive=True)
    file_hash = hash_filelike(buffer)
    buffer.seek(0)
    return image_model.objects.create(
        title=title,
        file=ImageFile(buffer, name=filename),
        file_size=buffer.getbuffer().nbytes,
        file_hash=file_hash,
        caption=caption,
        credit=CREDIT,
        rights=RIGHTS,
    )
