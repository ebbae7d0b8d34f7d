from tests.core.conftest import world  # noqa: F401
from tests.sync.conftest import local_store  # noqa: F401
from tests.ui.conftest import demo_ctx, translations  # noqa: F401
