"""An export is input from outside: it must not reach files outside --media-dir or browsers."""

import io
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import TestCase
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from masthead.comments.models import Comment
from masthead.content.tests.factories import make_paper

from .exports import SITE, comment, export, item


def run_import(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_wordpress", str(path), *args, stdout=out)
    return out.getvalue()


class MediaFolderTests(TestCase):
    def setUp(self):
        make_paper()
        outside = Path(tempfile.mkdtemp(prefix="wp-outside-"))
        self.media = outside / "uploads"
        (self.media / "2020").mkdir(parents=True)
        (outside / "secret.txt").write_text("the server's secret")
        buffer = io.BytesIO()
        PILImage.new("RGB", (8, 8)).save(buffer, "PNG")
        (outside / "secret.png").write_bytes(buffer.getvalue())
        # A symlink inside the folder that leads out of it.
        (self.media / "2020" / "link.png").symlink_to(outside / "secret.png")
        (self.media / "2020" / "notes.txt").write_text("an attachment's text")
        self.outside = outside

    def test_addresses_leading_out_of_the_media_folder_are_refused(self):
        uploads = f"{SITE}/wp-content/uploads"
        path = export(
            item(
                10,
                content=(
                    f'<p>One</p><img src="{uploads}/../secret.txt">'
                    f'<img src="{uploads}/%2e%2e/secret.png">'
                    f'<img src="{uploads}/2020/link.png">'
                ),
            ),
            item(
                11,
                post_type="attachment",
                status="inherit",
                attachment_url=f"{uploads}/{self.outside}/secret.txt",  # //tmp/…: absolute
            ),
            item(12, post_type="attachment", status="inherit", attachment_url="/etc/passwd"),
        )
        output = run_import(path, "--media-dir", str(self.media))
        self.assertFalse(get_document_model().objects.exists())
        self.assertFalse(get_image_model().objects.exists())
        self.assertIn("points outside the media folder", output)
        self.assertIn("media: ", output)

    def test_a_picture_in_the_text_never_becomes_a_document(self):
        uploads = f"{SITE}/wp-content/uploads"
        path = export(item(10, content=f'<p>One</p><img src="{uploads}/2020/notes.txt">'))
        run_import(path, "--media-dir", str(self.media))
        self.assertFalse(get_document_model().objects.exists())

    def test_an_attachment_of_an_accepted_kind_becomes_a_document(self):
        uploads = f"{SITE}/wp-content/uploads"
        path = export(
            item(
                11,
                post_type="attachment",
                status="inherit",
                attachment_url=f"{uploads}/2020/notes.txt",
            )
        )
        run_import(path, "--media-dir", str(self.media))
        self.assertEqual(get_document_model().objects.count(), 1)


class CommenterWebsiteTests(TestCase):
    def test_only_plain_web_addresses_are_kept(self):
        make_paper()
        comments = (
            comment(1, url="javascript:alert(1)")
            + comment(2, url=" JavaScript:alert(document.cookie)")
            + comment(3, url="data:text/html,<script>alert(1)</script>")
            + comment(4, url="https://reader.example/blog")
            + comment(5, url="http://")
        )
        run_import(export(item(10, comments=comments)))
        websites = dict(Comment.objects.values_list("author_name", "author_website"))
        self.assertEqual(
            websites,
            {
                "Reader 1": "",
                "Reader 2": "",
                "Reader 3": "",
                "Reader 4": "https://reader.example/blog",
                "Reader 5": "",
            },
        )
