"""Configures JAX once for the whole test session, as the page and the command line do."""

import engine


def pytest_configure(config):
    engine.configure()
