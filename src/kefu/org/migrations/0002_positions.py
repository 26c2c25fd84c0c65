from django.db import migrations

POSITIONS = [
    ("agent", "客服专员", 1),
    ("senior_agent", "高级客服", 2),
    ("team_lead", "组长", 3),
    ("qa_inspector", "质检员", 3),
    ("supervisor", "主管", 4),
    ("manager", "经理", 5),
]


def add_positions(apps, schema_editor):
    position = apps.get_model("org", "Position")
    for code, name, level in POSITIONS:
        position.objects.update_or_create(code=code, defaults={"name": name, "level": level})


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(add_positions, migrations.RunPython.noop)]
