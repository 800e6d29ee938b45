"""Every post and article noted for indexing again: each Han, Hiragana or Katakana character is
now a search word of its own (words.py), so that a Chinese or Japanese word is found inside a
sentence written without spaces. As in 0004: only ids are read, and later flushes index them a
thousand at a time (`clipdesk reindex` does them all at once)."""

import importlib

from django.db import migrations

_0004 = importlib.import_module("clipdesk.search.migrations.0004_index_again_for_search_words")


class Migration(migrations.Migration):
    dependencies = [("search", "0006_index_again_with_entity_words")]

    operations = [migrations.RunPython(_0004.note_everything, migrations.RunPython.noop)]
