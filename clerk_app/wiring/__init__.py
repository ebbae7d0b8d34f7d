"""The composition root's parts (``clerk_app/app_context.py`` calls them). The only package of
``clerk_app`` that may import ``devices`` and ``printing`` — lazily, by backend name — so a missing
library makes a backend "unavailable, because …" instead of breaking the app (tests/test_layering.py)."""
