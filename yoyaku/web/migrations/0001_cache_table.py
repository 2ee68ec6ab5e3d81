"""The table of Django's database cache (settings.CACHE_TABLE), used when REDIS_URL is not set: login throttles
and the admission gate's line shared by every process. Created whatever the cache setting is, so that a site
can drop Redis later without running createcachetable by hand."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "yoyaku_cache"


def create_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunPython(create_table, drop_table, elidable=False)]
