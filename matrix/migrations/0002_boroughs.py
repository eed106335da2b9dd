"""The 33 London local authority areas, by ONS GSS code (E09000001 City of London to E09000033 Westminster)."""

from django.db import migrations
from django.utils import timezone

LONDON_BOROUGHS = [
    ("E09000001", "City of London"),
    ("E09000002", "Barking and Dagenham"),
    ("E09000003", "Barnet"),
    ("E09000004", "Bexley"),
    ("E09000005", "Brent"),
    ("E09000006", "Bromley"),
    ("E09000007", "Camden"),
    ("E09000008", "Croydon"),
    ("E09000009", "Ealing"),
    ("E09000010", "Enfield"),
    ("E09000011", "Greenwich"),
    ("E09000012", "Hackney"),
    ("E09000013", "Hammersmith and Fulham"),
    ("E09000014", "Haringey"),
    ("E09000015", "Harrow"),
    ("E09000016", "Havering"),
    ("E09000017", "Hillingdon"),
    ("E09000018", "Hounslow"),
    ("E09000019", "Islington"),
    ("E09000020", "Kensington and Chelsea"),
    ("E09000021", "Kingston upon Thames"),
    ("E09000022", "Lambeth"),
    ("E09000023", "Lewisham"),
    ("E09000024", "Merton"),
    ("E09000025", "Newham"),
    ("E09000026", "Redbridge"),
    ("E09000027", "Richmond upon Thames"),
    ("E09000028", "Southwark"),
    ("E09000029", "Sutton"),
    ("E09000030", "Tower Hamlets"),
    ("E09000031", "Waltham Forest"),
    ("E09000032", "Wandsworth"),
    ("E09000033", "Westminster"),
]


def load_boroughs(apps, schema_editor):
    Borough = apps.get_model("matrix", "Borough")
    HistoricalBorough = apps.get_model("matrix", "HistoricalBorough")
    for code, name in LONDON_BOROUGHS:
        borough, created = Borough.objects.update_or_create(code=code, defaults={"name": name})
        if created:
            HistoricalBorough.objects.create(
                id=borough.id, code=code, name=name, history_type="+",
                history_date=timezone.now(),
                history_change_reason="Loaded from the ONS list of London local authority areas",
            )


class Migration(migrations.Migration):
    dependencies = [("matrix", "0001_initial")]
    operations = [migrations.RunPython(load_boroughs, migrations.RunPython.noop)]
