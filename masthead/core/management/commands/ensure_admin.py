import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Make sure an administrator account exists and print how to sign in. "
        "MASTHEAD_ADMIN_USERNAME, MASTHEAD_ADMIN_EMAIL and MASTHEAD_ADMIN_PASSWORD set it; "
        "without a password one is generated once and kept in var/admin-credentials.txt."
    )

    def handle(self, *args, **options):
        username = os.environ.get("MASTHEAD_ADMIN_USERNAME", "admin")
        email = os.environ.get("MASTHEAD_ADMIN_EMAIL", "admin@example.org")
        password = os.environ.get("MASTHEAD_ADMIN_PASSWORD")
        credentials_file = settings.VAR_DIR / "admin-credentials.txt"
        User = get_user_model()

        user = User.objects.filter(username=username).first()
        if password:
            user = user or User(username=username, email=email)
            user.is_staff = user.is_superuser = user.is_active = True
            user.set_password(password)
            user.save()
            shown = "(from MASTHEAD_ADMIN_PASSWORD)"
        elif user is None:
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser(username=username, email=email, password=password)
            credentials_file.parent.mkdir(parents=True, exist_ok=True)
            credentials_file.write_text(f"{username}\n{password}\n")
            credentials_file.chmod(0o600)
            shown = password
        elif credentials_file.exists():
            shown = credentials_file.read_text().splitlines()[1]
        else:
            shown = "(unchanged; set MASTHEAD_ADMIN_PASSWORD to reset it)"
        self.stdout.write(
            self.style.SUCCESS(f"Admin sign-in: username {username}, password {shown}")
        )
