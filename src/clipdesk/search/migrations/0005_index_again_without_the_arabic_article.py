"""Every post and article noted for indexing again: search words lost a glued Arabic article
("الساحل" → "ساحل", words.py), so documents indexed before hold words that queries no longer
ask for. As in 0004: only ids are read, and later flushes index them a thousand at a time
(`clipdesk reindex` does them all at once)."""

import importlib

from django.db import migrations

_0004 = importlib.import_module("clipdesk.search.migrations.0004_index_again_for_search_words")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0004_index_again_for_search_words"),
        ("digest", "0006_old_slugs"),
        ("articles", "0004_copies_keep_their_credit"),
    ]

    operations = [migrations.RunPython(_0004.note_everything, migrations.RunPython.noop)]
