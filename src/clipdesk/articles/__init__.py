"""Articles: what a fetched page says — its text, headline, authors, date, outlet and language.

The parsing stages are pure (bytes or str in, dataclasses out): `extraction.py` reads one
page, `canonical.py` gives every address one canonical spelling, `language.py` names the
text's language. The Django parts (models, admin, views, urls) keep and show the results.
"""
