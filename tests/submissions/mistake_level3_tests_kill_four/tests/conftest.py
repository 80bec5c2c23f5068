import pytest

from app import create_app


@pytest.fixture
def app():
    """A new club under the testing configuration."""
    return create_app("testing")


@pytest.fixture
def client(app):
    """A browser for it."""
    return app.test_client()
