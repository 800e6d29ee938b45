"""clipdesk: a self-hosted press-clipping desk."""

__version__ = "0.1.0"
