"""The site's URLs with the toolbar's routed, as config.urls does when DEBUG is on at start-up."""

from debug_toolbar.toolbar import debug_toolbar_urls
from django.test import override_settings

from config.urls import urlpatterns as site_urlpatterns

with override_settings(DEBUG=True):
    urlpatterns = debug_toolbar_urls() + site_urlpatterns
