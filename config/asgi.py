import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

# Read the course now, not on the first request: its log says at start-up which lessons a DEBUG-off
# site leaves out and why (lessons.catalogue).
from lessons.catalogue import get_catalogue  # noqa: E402 (needs the apps loaded above)

get_catalogue()
