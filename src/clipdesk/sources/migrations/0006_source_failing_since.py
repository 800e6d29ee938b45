from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sources", "0005_task_deliveries"),
    ]

    operations = [
        migrations.AddField(
            model_name="source",
            name="failing_since",
            field=models.DateTimeField(
                blank=True,
                help_text=(
                    "When the failures in a row began (the first of them); cleared by a good "
                    "read."
                ),
                null=True,
            ),
        ),
    ]
