"""Every post and article noted for indexing again: search words lost "’s" and "l’" (words.py).

Documents indexed before hold "rajavis" where the query "Rajavi’s" now asks for "rajavi". The
rows are noted as pending updates, which every later flush indexes a thousand at a time
(indexing.PENDING_PER_FLUSH); `clipdesk reindex` does them all at once. Only ids are read,
so this runs in seconds on a large archive and does not depend on today's models.
"""

from django.db import migrations
from django.utils import timezone

BATCH = 2000


def note_everything(apps, schema_editor) -> None:
    pending = apps.get_model("search", "PendingIndexUpdate")
    noted_at = timezone.now()
    for kind, model in (
        ("post", apps.get_model("digest", "Post")),
        ("article", apps.get_model("articles", "Article")),
    ):
        ids = model.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=BATCH)
        batch = []
        for object_id in ids:
            batch.append(pending(kind=kind, object_id=object_id, noted_at=noted_at))
            if len(batch) == BATCH:
                pending.objects.bulk_create(batch, ignore_conflicts=True)
                batch = []
        pending.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_pending_index_updates"),
        ("digest", "0004_tag_name_key"),
        ("articles", "0003_entry_addresses"),
    ]

    operations = [migrations.RunPython(note_everything, migrations.RunPython.noop)]
