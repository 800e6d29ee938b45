"""Every post and article noted for indexing again: a document that writes a Persian verbal
prefix or a plural or comparative suffix apart from its word with a space ("می خواهد",
"کتاب ها") now also holds that word whole ("میخواهد", "کتابها", words.py), as a document that
writes it with a zero-width non-joiner has since 0008. As in 0004: only ids are read, and later
flushes index them a thousand at a time (`clipdesk reindex` does them all at once)."""

import importlib

from django.db import migrations

_0004 = importlib.import_module("clipdesk.search.migrations.0004_index_again_for_search_words")


class Migration(migrations.Migration):
    dependencies = [("search", "0009_index_again_with_vowel_signs")]

    operations = [migrations.RunPython(_0004.note_everything, migrations.RunPython.noop)]
