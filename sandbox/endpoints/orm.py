"""Sandbox endpoints for the orm track (mounted under /lab/orm/)."""

urlpatterns = []
