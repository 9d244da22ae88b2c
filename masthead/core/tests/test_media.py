"""Uploaded files in development: served, except the paywalled documents, however spelled."""

import tempfile
from pathlib import Path

from django.http import Http404
from django.test import RequestFactory, SimpleTestCase, override_settings

from masthead.core.views import media


class DevelopmentMediaTests(SimpleTestCase):
    def setUp(self):
        self.root = Path(tempfile.mkdtemp())
        (self.root / "documents").mkdir()
        (self.root / "documents" / "issue.pdf").write_bytes(b"%PDF-1.4 printed edition")
        (self.root / "images").mkdir()
        (self.root / "images" / "photo.txt").write_bytes(b"a picture")

    def get(self, path):
        with override_settings(MEDIA_ROOT=self.root):
            return media(RequestFactory().get(f"/media/{path}"), path)

    def test_other_uploads_are_served(self):
        response = self.get("images/photo.txt")
        self.assertEqual(b"".join(response.streaming_content), b"a picture")

    def test_documents_are_refused_however_the_path_is_spelled(self):
        for path in (
            "documents/issue.pdf",
            "/documents/issue.pdf",
            "./documents/issue.pdf",
            "images/../documents/issue.pdf",
            "documents//issue.pdf",
            "documents",
            "../secret",
        ):
            with self.subTest(path=path), self.assertRaises(Http404):
                self.get(path)
