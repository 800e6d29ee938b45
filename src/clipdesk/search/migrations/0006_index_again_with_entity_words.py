"""Every post and article noted for indexing again: a document now holds a word for each
watched entity the watchlist matcher found in it (words.py, `entity_word`), which queries
that name the entity look for. As in 0004: only ids are read, and later flushes index them a
thousand at a time (`clipdesk reindex` does them all at once)."""

import importlib

from django.db import migrations

_0004 = importlib.import_module("clipdesk.search.migrations.0004_index_again_for_search_words")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0005_index_again_without_the_arabic_article"),
        ("watch", "0001_initial"),
    ]

    operations = [migrations.RunPython(_0004.note_everything, migrations.RunPython.noop)]
