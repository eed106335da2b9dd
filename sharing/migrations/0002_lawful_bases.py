"""The lawful bases for sharing listed in docs/sharing.md (Lawful bases); the DPO can edit them afterwards."""

from django.db import migrations
from django.utils import timezone

LAWFUL_BASES = [
    ("dpa-2018-s35", "DPA 2018 s.35", "Law enforcement purposes (first data protection principle)", False),
    ("cda-1998-s115", "Crime and Disorder Act 1998 s.115", "Disclosure to relevant authorities to reduce crime and disorder", False),
    ("ca-2004-s11", "Children Act 2004 s.11", "Safeguarding and promoting the welfare of children", True),
    ("dpa-2018-sch8-para1", "DPA 2018 Sch.8 para 1", "Statutory and government purposes", False),
    ("dpa-2018-sch8-para2", "DPA 2018 Sch.8 para 2", "Administration of justice", False),
    ("dpa-2018-sch8-para3", "DPA 2018 Sch.8 para 3", "Protecting an individual's vital interests", True),
    ("dpa-2018-sch8-para4", "DPA 2018 Sch.8 para 4", "Safeguarding of children and of individuals at risk", True),
    ("pcsc-2022-s16", "Police, Crime, Sentencing and Courts Act 2022 s.16", "Serious violence duty: disclosure of information", False),
    ("uk-gdpr-6-1-e", "UK GDPR Art.6(1)(e) with DPA 2018 Sch.1", "Public task, for partners processing under the general regime", False),
]


def load(apps, schema_editor):
    LawfulBasis = apps.get_model("sharing", "LawfulBasis")
    History = apps.get_model("sharing", "HistoricalLawfulBasis")
    for code, citation, title, safeguarding in LAWFUL_BASES:
        basis, created = LawfulBasis.objects.get_or_create(
            code=code, defaults={"citation": citation, "title": title, "is_safeguarding": safeguarding}
        )
        if created:
            History.objects.create(
                id=basis.id, code=code, citation=citation, title=title, description="", is_safeguarding=safeguarding,
                active=True, history_type="+", history_date=timezone.now(),
                history_change_reason="Loaded from the lawful bases listed in the specification",
            )


class Migration(migrations.Migration):
    dependencies = [("sharing", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
