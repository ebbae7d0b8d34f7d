"""一窗受理工作台 core: domain, services, store, catalogue, sync, audit, security. Never imports Qt."""

__version__ = "0.1.0"
