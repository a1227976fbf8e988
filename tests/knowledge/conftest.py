from tests.records.conftest import make_staff  # noqa: F401 - shared fixture
from tests.records.conftest import close_case  # noqa: F401, E402 - shared fixture
