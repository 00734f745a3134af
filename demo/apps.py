from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for the whole platform (``seed_demo``). It sits on top of every other app and
    nothing imports it (tests/test_architecture.py), so the demo can reach any app's seeding
    without the apps knowing about the demo. It has no models, hence no admin entry."""

    name = "demo"
