"""Sandbox endpoints for the signals track (mounted under /lab/signals/)."""

urlpatterns = []
