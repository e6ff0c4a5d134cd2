"""Sandbox endpoints for the signals track (mounted under /sandbox/signals/)."""

urlpatterns = []
