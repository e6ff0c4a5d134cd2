"""A demo card for a copy of the course without a server (manage.py export_course).

Nothing can run in a folder opened from disk, and an exported page must not
pretend otherwise: the card keeps the demo's title, description and the
teaching code it runs, and says how to run it on a local Django Lab instead
of offering a Run button. No measured output appears in it.
"""

from __future__ import annotations

from django.template.loader import render_to_string

# Where `make run` serves the site: the address an exported card sends a reader to.
LOCAL_SITE = "http://127.0.0.1:8000"


def offline_card(demo, lesson_path: str = "") -> str:
    from lab.cards import teaching_pieces

    anchor = f"#{demo.dom_id}"
    local_url = f"{LOCAL_SITE}/{lesson_path.strip('/')}/{anchor}" if lesson_path else f"{LOCAL_SITE}/demos/"
    return render_to_string(
        "lessons/offline_card.html",
        {"demo": demo, "form": demo.form(), "code": teaching_pieces(demo), "local_url": local_url},
    )
