import secrets

from django.db import migrations, models

import challenges.models


def fill_salts(apps, schema_editor):
    """Each existing edition gets its own random salt (a callable default would give them all
    the same one)."""
    Edition = apps.get_model("challenges", "Edition")
    for edition in Edition.objects.filter(dataset_salt=""):
        edition.dataset_salt = secrets.token_hex(32)
        edition.save(update_fields=["dataset_salt"])


class Migration(migrations.Migration):
    dependencies = [("challenges", "0008_upload_channel")]

    operations = [
        migrations.AddField(
            model_name="edition",
            name="dataset_salt",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(fill_salts, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="edition",
            name="dataset_salt",
            field=models.CharField(
                default=challenges.models.new_dataset_salt, editable=False, max_length=64
            ),
        ),
    ]
