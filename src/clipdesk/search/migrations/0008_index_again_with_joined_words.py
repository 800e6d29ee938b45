"""Every post and article noted for indexing again: a document that writes a word in parts
joined by a zero-width non-joiner ("می‌خواهد") now also holds its words with such words whole
("میخواهد", words.py), which a query typed without the non-joiner looks for. As in 0004: only
ids are read, and later flushes index them a thousand at a time (`clipdesk reindex` does them
all at once)."""

import importlib

from django.db import migrations

_0004 = importlib.import_module("clipdesk.search.migrations.0004_index_again_for_search_words")


class Migration(migrations.Migration):
    dependencies = [("search", "0007_index_again_with_han_and_kana_words")]

    operations = [migrations.RunPython(_0004.note_everything, migrations.RunPython.noop)]
