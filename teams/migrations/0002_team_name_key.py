"""Team names compared folded (case, accents, spacing, quotes and invisible characters aside):
each team's name key, unique in its edition.

Two teams of an edition whose names were told apart before and mean the same now (“Los Andes”
and “los andes” with a zero-width space): the first (lowest id) gets the key, the others keep
their names with an empty key (no constraint applies to it) and are logged; renaming one of them
to a free name gives it its key.
"""

import logging

from django.db import migrations, models

from teams.models import team_name_key

logger = logging.getLogger(__name__)


def fill_name_keys(apps, schema_editor):
    """Every team's name key, edition by edition, oldest team first; returns the (team, first
    team) pairs left without a key."""
    Team = apps.get_model("teams", "Team")
    left_out = []
    first_with: dict[tuple[int, str], int] = {}
    changed = []
    for team in Team.objects.order_by("edition_id", "pk").only("pk", "edition_id", "name"):
        key = team_name_key(team.name)
        first = first_with.setdefault((team.edition_id, key), team.pk)
        if first != team.pk:
            left_out.append((team.pk, first))
            key = ""
        team.name_key = key
        changed.append(team)
    Team.objects.bulk_update(changed, ["name_key"], batch_size=1000)
    if left_out:
        logger.warning(
            "%s teams have a name that means another team's of their edition and were left "
            "without a name key (team, first team): %s",
            len(left_out),
            left_out,
        )
    return left_out


class Migration(migrations.Migration):
    dependencies = [("teams", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="team",
            name="name_key",
            field=models.CharField(
                blank=True, editable=False, max_length=64, verbose_name="name key"
            ),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="team",
            constraint=models.UniqueConstraint(
                condition=~models.Q(name_key=""),
                fields=("edition", "name_key"),
                name="unique_team_name_key_per_edition",
                violation_error_message="A team with this name already exists in this edition.",
            ),
        ),
    ]
