"""Watchlists: the entities an editor follows, and finding them in articles under any alias."""
