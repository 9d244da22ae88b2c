from django.core import mail
from django.core.cache import cache
from django.test import Client, TestCase
from wagtail.models import Locale

from masthead.content.models import ContactFormField, ContactPage

from .factories import make_paper, publish, translate


class ContactPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        paper = make_paper()
        page = ContactPage(
            title="Contact Us",
            slug="contact",
            to_address="newsroom@example.org",
            from_address="site@example.org",
            subject="A reader wrote",
        )
        page.form_fields.add(
            ContactFormField(label="Your name", field_type="singleline", required=True),
            ContactFormField(label="Email", field_type="email", required=True),
            ContactFormField(label="Message", field_type="multiline", required=True),
        )
        cls.page = publish(paper.home, page)

    def setUp(self):
        cache.clear()

    def test_form_marks_required_fields(self):
        response = self.client.get(self.page.url)
        self.assertContains(response, "Required fields are marked *")
        self.assertContains(response, 'class="form__required"', count=3)

    def test_a_message_is_stored_and_emailed_to_staff(self):
        response = self.client.post(
            self.page.url,
            {"your_name": "Parisa", "email": "parisa@example.org", "message": "Hello"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Thank you")
        self.assertEqual(self.page.get_submission_class().objects.count(), 1)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["newsroom@example.org"])
        self.assertIn("Hello", mail.outbox[0].body)

    def test_an_invalid_message_keeps_what_was_typed(self):
        response = self.client.post(
            self.page.url, {"your_name": "Parisa", "email": "not-an-email", "message": "Kept"}
        )
        self.assertContains(response, 'value="Parisa"')
        self.assertContains(response, "Kept")
        self.assertContains(response, "form__error")
        self.assertEqual(len(mail.outbox), 0)

    def test_persian_form_errors_are_in_persian(self):
        persian = translate(self.page, Locale.objects.get(language_code="fa"), title="تماس با ما")
        self.assertTrue(persian.url.startswith("/fa/"))
        response = self.client.post(persian.url, {"your_name": "", "email": "", "message": ""})
        self.assertContains(response, 'dir="rtl"')
        self.assertContains(response, "این فیلد لازم است")
        self.assertEqual(len(mail.outbox), 0)

    def test_a_form_without_its_csrf_token_is_refused_in_the_readers_language(self):
        guarded = Client(enforce_csrf_checks=True)
        response = guarded.post(self.page.url, {"your_name": "Parisa"})
        self.assertContains(response, "Your form could not be sent", status_code=403)
        self.assertContains(response, 'lang="en" dir="ltr"', status_code=403)
        persian = translate(self.page, Locale.objects.get(language_code="fa"), title="تماس")
        response = guarded.post(persian.url, {"your_name": "Parisa"})
        self.assertContains(response, 'lang="fa" dir="rtl"', status_code=403)
        self.assertContains(response, "فرم شما فرستاده نشد", status_code=403)
        self.assertEqual(self.page.get_submission_class().objects.count(), 0)
