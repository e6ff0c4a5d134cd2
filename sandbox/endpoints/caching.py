"""Sandbox endpoints for the caching track (mounted under /lab/caching/)."""

urlpatterns = []
