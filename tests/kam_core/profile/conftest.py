import pytest
from kam_tiny_db import seed_tiny


@pytest.fixture
def tiny_engine(db_engine):
    """The tiny brewer on SQLite and PostgreSQL."""
    seed_tiny(db_engine)
    return db_engine
