"""The browser runtime's URLconf: empty; an exercise that needs views brings its own (override_settings)."""

urlpatterns: list = []
