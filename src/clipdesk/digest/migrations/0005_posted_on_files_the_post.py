"""A post with a "Posted on" date is filed under it; posts whose date was changed in the admin
before saving enforced it are filed again (and marked changed, for the incremental export)."""

from django.db import migrations, models
from django.db.models import F
from django.utils import timezone


def file_under_posted_on(apps, schema_editor) -> None:
    post = apps.get_model("digest", "Post")
    stray = post.objects.exclude(posted_on=None).exclude(posted_on_inferred=F("posted_on"))
    stray.update(posted_on_inferred=F("posted_on"), updated_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("digest", "0004_tag_name_key"),
    ]

    operations = [
        migrations.AlterField(
            model_name="post",
            name="posted_on_inferred",
            field=models.DateField(
                db_index=True,
                help_text="Used only to order posts and file them in archives: the posted date "
                "(set from it on saving), else the newest credit date, else the date of the post "
                "above it in the imported page.",
            ),
        ),
        migrations.RunPython(file_under_posted_on, migrations.RunPython.noop),
    ]
