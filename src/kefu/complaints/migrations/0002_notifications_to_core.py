"""Complaint notices move into the one notification centre (core.Notification): the text becomes the
title (whole in the body when longer than a title), the complaint its page as url and the subject label;
the idempotency key, e-mailed flag, read state and time are kept."""

from django.db import migrations
from django.urls import NoReverseMatch, reverse

BATCH = 1000
TITLE = 200


def _complaint_url(complaint_id):
    try:
        return reverse("complaints:detail", args=[complaint_id])
    except NoReverseMatch:  # the page was renamed since: its address when this migration was written
        return f"/complaints/{complaint_id}/"


def copy_to_core(apps, schema_editor):
    Old = apps.get_model("complaints", "Notification")
    New = apps.get_model("core", "Notification")
    db = schema_editor.connection.alias
    batch = []
    for row in Old.objects.using(db).order_by("id").iterator(chunk_size=BATCH):
        long = len(row.text) > TITLE
        batch.append(
            New(
                recipient_id=row.recipient_id,
                app="complaints",
                kind=row.kind,
                title=row.text[: TITLE - 1] + "…" if long else row.text,
                body=row.text if long else "",
                url=_complaint_url(row.complaint_id) if row.complaint_id else "",
                subject=f"complaints.complaint:{row.complaint_id}" if row.complaint_id else "",
                key=row.key,
                created_at=row.created_at,
                emailed=row.emailed,
                read_at=row.read_at,
            )
        )
        if len(batch) >= BATCH:
            # A key already in core (a re-run) stays as it is: "send once" holds across the move too.
            New.objects.using(db).bulk_create(batch, ignore_conflicts=True)
            batch = []
    New.objects.using(db).bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0001_initial"),
        ("core", "0002_notification"),
    ]

    # Backwards, the copies stay in core (the old table comes back empty): nothing is lost either way.
    operations = [migrations.RunPython(copy_to_core, migrations.RunPython.noop, elidable=True)]
