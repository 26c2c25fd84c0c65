"""Compliance notices move into the one notification centre (core.Notification): title, body, url,
read state and time are kept; the case they were about becomes the generic subject label."""

from django.db import migrations

BATCH = 1000


def copy_to_core(apps, schema_editor):
    Old = apps.get_model("compliance", "Notification")
    New = apps.get_model("core", "Notification")
    db = schema_editor.connection.alias
    batch = []
    for row in Old.objects.using(db).order_by("id").iterator(chunk_size=BATCH):
        batch.append(
            New(
                recipient_id=row.recipient_id,
                app="compliance",
                kind=row.kind[:40],
                title=row.title,
                body=row.body,
                url=row.url,
                subject=f"compliance.violationcase:{row.case_id}" if row.case_id else "",
                created_at=row.created_at,
                read_at=row.read_at,
            )
        )
        if len(batch) >= BATCH:
            New.objects.using(db).bulk_create(batch)
            batch = []
    New.objects.using(db).bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0001_initial"),
        ("core", "0002_notification"),
    ]

    # Backwards, the copies stay in core (the old table comes back empty): nothing is lost either way.
    operations = [migrations.RunPython(copy_to_core, migrations.RunPython.noop, elidable=True)]
