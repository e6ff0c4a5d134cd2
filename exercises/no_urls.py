"""An empty URLconf: a test checked with it cannot lean on the site's URLs."""

urlpatterns: list = []
