# The city's easy-Japanese (やさしい日本語) version of a notice, shown on Japanese pages with furigana on.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('booking', '0010_resident_contact_channel'),
    ]

    operations = [
        migrations.AddField(model_name='notice', name='title_easy', field=models.CharField(blank=True, max_length=200, verbose_name='title (easy Japanese)')),
        migrations.AddField(model_name='notice', name='body_easy', field=models.TextField(blank=True, verbose_name='body (easy Japanese)')),
    ]
