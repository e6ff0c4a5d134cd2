from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "sandbox"
    verbose_name = "Bookshop sandbox"

    def ready(self) -> None:
        # Receivers connect when their modules are imported; each has a dispatch_uid.
        from .receivers import connect_all

        connect_all()
