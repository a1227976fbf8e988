from tests.records.conftest import make_staff  # noqa: F401 - shared fixture
