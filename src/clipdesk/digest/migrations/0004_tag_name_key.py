from django.db import migrations, models

from clipdesk.digest.names import fold_name


def fill_name_keys(apps, schema_editor) -> None:
    """Tags made before the column get the key `Tag.save` gives new ones."""
    Tag = apps.get_model("digest", "Tag")
    tags = list(Tag.objects.only("pk", "name"))
    for tag in tags:
        tag.name_key = fold_name(tag.name)[:400]
    Tag.objects.bulk_update(tags, ["name_key"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("digest", "0003_post_updated_at_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="tag",
            name="name_key",
            field=models.CharField(db_index=True, default="", editable=False, max_length=400),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop),
    ]
