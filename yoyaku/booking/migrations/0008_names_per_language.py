# Venue and vaccine names, areas, addresses and access notes per UI language (empty: the Japanese is shown).
#
# After 0007_standby: the two were written at the same time; this one only adds blank columns.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('booking', '0007_standby'),
    ]

    operations = [
        migrations.AddField(model_name='vaccine', name='name_en', field=models.CharField(blank=True, max_length=100, verbose_name='name (English)')),
        migrations.AddField(model_name='vaccine', name='name_zh_hans', field=models.CharField(blank=True, max_length=100, verbose_name='name (Chinese)')),
        migrations.AddField(model_name='vaccine', name='name_ko', field=models.CharField(blank=True, max_length=100, verbose_name='name (Korean)')),
        migrations.AddField(model_name='venue', name='name_en', field=models.CharField(blank=True, max_length=100, verbose_name='name (English)')),
        migrations.AddField(model_name='venue', name='name_zh_hans', field=models.CharField(blank=True, max_length=100, verbose_name='name (Chinese)')),
        migrations.AddField(model_name='venue', name='name_ko', field=models.CharField(blank=True, max_length=100, verbose_name='name (Korean)')),
        migrations.AddField(model_name='venue', name='area_en', field=models.CharField(blank=True, max_length=50, verbose_name='area (English)')),
        migrations.AddField(model_name='venue', name='area_zh_hans', field=models.CharField(blank=True, max_length=50, verbose_name='area (Chinese)')),
        migrations.AddField(model_name='venue', name='area_ko', field=models.CharField(blank=True, max_length=50, verbose_name='area (Korean)')),
        migrations.AddField(model_name='venue', name='address_en', field=models.CharField(blank=True, max_length=200, verbose_name='address (English)')),
        migrations.AddField(model_name='venue', name='address_zh_hans', field=models.CharField(blank=True, max_length=200, verbose_name='address (Chinese)')),
        migrations.AddField(model_name='venue', name='address_ko', field=models.CharField(blank=True, max_length=200, verbose_name='address (Korean)')),
        migrations.AddField(model_name='venue', name='notes_en', field=models.TextField(blank=True, verbose_name='access notes (English)')),
        migrations.AddField(model_name='venue', name='notes_zh_hans', field=models.TextField(blank=True, verbose_name='access notes (Chinese)')),
        migrations.AddField(model_name='venue', name='notes_ko', field=models.TextField(blank=True, verbose_name='access notes (Korean)')),
    ]
