"""The composer's stack input: a text field of names that a small script turns into a list editor.

Without JavaScript it is the text field (comma-separated names, outermost
first). static/js/stack-editor.js reads the catalogue from the field's data
attributes and builds an ordered list with move up, move down and remove
buttons and an "add" picker, writing the names back into the field, which is
what the form posts either way. No inline script or style: the page's
Content-Security-Policy allows only the site's own files.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe


class StackEditor(forms.TextInput):
    # A site template (templates/middleware/), rendered by the site's engine: the form renderer sees only Django's.
    template_name = "middleware/stack_editor.html"

    def __init__(self, choices: list[str], max_items: int, attrs: dict[str, Any] | None = None):
        super().__init__(attrs)
        self.choices = list(choices)
        self.max_items = max_items

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {
                "data-stack-editor": "",
                "data-choices": json.dumps(self.choices),
                "data-max": str(self.max_items),
                "spellcheck": "false",
                "autocapitalize": "off",
                "autocomplete": "off",
            }
        )
        return context

    def _render(self, template_name: str, context: dict[str, Any], renderer: Any = None) -> SafeString:
        return mark_safe(render_to_string(template_name, context))  # noqa: S308 (a site template, autoescaped)
