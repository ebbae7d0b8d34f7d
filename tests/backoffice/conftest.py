from tests.backoffice.fixtures import backoffice, backoffice_server, own_backoffice  # noqa: F401
