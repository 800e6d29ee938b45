"""`python -m clipdesk` is the same as the `clipdesk` command."""

from clipdesk.cli import main

raise SystemExit(main())
