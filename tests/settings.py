"""Settings for the test run: the real settings, in a throw-away instance home.

This module is imported before clipdesk.settings, so the home is set before settings read it.
"""

import atexit
import os
import shutil
import tempfile

if "CLIPDESK_HOME" not in os.environ:
    _home = tempfile.mkdtemp(prefix="clipdesk-test-home-")
    os.environ["CLIPDESK_HOME"] = _home
    # The run's home goes with the run (forked workers exit without running atexit hooks).
    atexit.register(shutil.rmtree, _home, ignore_errors=True)

from clipdesk.settings import *  # noqa: F403

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# Hashing test passwords slowly proves nothing and costs seconds.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    # A test database of this run's own, so two runs on one server never collide.
    DATABASES["default"]["TEST"] = {"NAME": f"test_clipdesk_{os.getpid()}"}  # noqa: F405
