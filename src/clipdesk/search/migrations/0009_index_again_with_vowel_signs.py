"""Every post and article noted for indexing again: folding kept no combining mark, so the
vowel signs of Devanagari, Thai and the other Brahmic scripts and the kana voicing marks were
dropped, and "काम" (work) was indexed as "कम" (less), "で" as "て". Those marks are now kept
in search words (watch/normalizing.py). As in 0004: only ids are read, and later flushes
index them a thousand at a time (`clipdesk reindex` does them all at once)."""

import importlib

from django.db import migrations

_0004 = importlib.import_module("clipdesk.search.migrations.0004_index_again_for_search_words")


class Migration(migrations.Migration):
    dependencies = [("search", "0008_index_again_with_joined_words")]

    operations = [migrations.RunPython(_0004.note_everything, migrations.RunPython.noop)]
