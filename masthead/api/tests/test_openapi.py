import hypothesis
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import TestCase
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from .test_api import build_paper

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class OpenApiTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_paper(cls)

    def setUp(self):
        cache.clear()
        # Serve through WSGI inside the test's transaction, as Django's test client does:
        # the handler would otherwise close the connection after each request.
        for signal in (request_started, request_finished):
            signal.disconnect(close_old_connections)
            self.addCleanup(signal.connect, close_old_connections)

    def test_description_is_published_with_every_endpoint(self):
        description = self.client.get("/api/openapi.json").json()
        self.assertEqual(description["info"]["title"], "Masthead API")
        self.assertEqual(
            sorted(description["paths"]),
            [
                "/api/articles/",
                "/api/articles/{article_id}/",
                "/api/authors/",
                "/api/authors/{author_id}/",
                "/api/images/",
                "/api/images/{image_id}/",
                "/api/sections/",
                "/api/sections/{section_id}/",
            ],
        )
        self.assertEqual(self.client.get("/api/docs/").status_code, 200)

    def test_every_operation_answers_as_described_for_valid_and_invalid_input(self):
        """Run schemathesis over each operation: no 5xx, statuses and bodies as described."""
        schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode in (
                schemathesis.GenerationMode.POSITIVE,
                schemathesis.GenerationMode.NEGATIVE,
            ):
                with self.subTest(operation.label, mode=mode.value):
                    self.check_operation(operation, mode)

    def check_operation(self, operation, mode) -> None:
        checks = [*CHECKS, negative_data_rejection] if mode.is_negative else CHECKS

        @hypothesis.settings(
            max_examples=25,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
        @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
        def answers_as_described(case):
            case.call_and_validate(checks=checks)

        answers_as_described()
