"""Sandbox endpoints for the middleware track (mounted under /lab/middleware/)."""

urlpatterns = []
