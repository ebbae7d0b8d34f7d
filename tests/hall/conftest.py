from tests.backoffice.fixtures import backoffice, backoffice_server  # noqa: F401
