from django.apps import AppConfig


class DemosConfig(AppConfig):
    """The demos: each step calls the bookshop's teaching code and the lab records it."""

    name = "demos"
    verbose_name = "Demos"

    def ready(self) -> None:
        from lab import registry, signals
        from sandbox.signals import order_placed

        from . import autodiscover

        # The bookshop knows nothing of the lab: its signal and receivers are traced from here.
        signals.trace_signal(order_placed, "order_placed")
        signals.trace_receivers("sandbox")
        registry.show_code_from("sandbox")
        autodiscover()
