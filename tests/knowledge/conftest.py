from tests.records.conftest import (
    close_case,  # noqa: F401 - shared fixture
    make_staff,  # noqa: F401 - shared fixture
)
