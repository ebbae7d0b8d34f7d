"""一窗受理工作台 core: domain, services, store, catalogue, sync, audit, security. Never imports Qt."""

from typing import Any


def __getattr__(name: str) -> Any:  # ``clerk_app.__version__`` without reading metadata at every import
    if name == "__version__":
        from clerk_app.version import app_version

        return app_version()
    raise AttributeError(name)
