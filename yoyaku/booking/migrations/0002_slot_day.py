from django.db import migrations, models
from django.utils import timezone


def fill_days(apps, schema_editor):
    Slot = apps.get_model("booking", "Slot")
    batch = []
    for slot in Slot.objects.only("pk", "starts_at").iterator(chunk_size=2000):
        slot.day = timezone.localdate(slot.starts_at)
        batch.append(slot)
        if len(batch) >= 2000:
            Slot.objects.bulk_update(batch, ["day"])
            batch = []
    if batch:
        Slot.objects.bulk_update(batch, ["day"])


class Migration(migrations.Migration):
    dependencies = [("booking", "0001_initial")]

    operations = [
        migrations.AddField(model_name="slot", name="day", field=models.DateField(null=True, editable=False,
                                                                                verbose_name="day")),
        migrations.RunPython(fill_days, migrations.RunPython.noop),
        migrations.AlterField(model_name="slot", name="day", field=models.DateField(db_index=True, editable=False,
                                                                                  verbose_name="day")),
        migrations.AddIndex(model_name="slot", index=models.Index(fields=["venue", "day"],
                                                                   name="booking_slo_venue_i_7f97a7_idx")),
    ]
