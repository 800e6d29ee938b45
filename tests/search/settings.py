"""Test settings with the search app wired in, until clipdesk.settings lists it.

Run: .venv/bin/python -m pytest tests/search --ds tests.search.settings
Once "clipdesk.search" is in INSTALLED_APPS and its urls in clipdesk.urls, this module and
urls.py beside it can go, and the suite runs with the default tests.settings.
"""

from tests.settings import *  # noqa: F403

if "clipdesk.search" not in INSTALLED_APPS:  # noqa: F405
    INSTALLED_APPS = [*INSTALLED_APPS, "clipdesk.search"]  # noqa: F405
ROOT_URLCONF = "tests.search.urls"
