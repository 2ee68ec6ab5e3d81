"""`manage.py simulate_month [--seed N] [--residents N] [--no-standby] ...`: a month of a city on a throwaway
database (yoyaku/booking/simulation). Never touches the configured database: a fresh test database is
created next to it (SQLite: in memory) and destroyed at the end."""

import argparse
from dataclasses import fields

from django.core.management.base import BaseCommand
from django.db import connection

from yoyaku.booking.simulation import Parameters, report_lines, simulate


class Command(BaseCommand):
    help = "Simulate a month of the city through the real services; report refills and wasted doses."
    requires_system_checks = []

    def add_arguments(self, parser):
        for f in fields(Parameters):
            option = "--" + f.name.replace("_", "-")
            if f.type in ("bool", bool):
                parser.add_argument(option, action=argparse.BooleanOptionalAction, default=f.default)
            else:
                kind = {"int": int, "float": float}.get(f.type, f.type)
                parser.add_argument(option, type=kind, default=f.default, help=f"default {f.default}")

    def handle(self, *args, **options):
        parameters = Parameters(**{name: options[name] for name in Parameters.names()})
        if connection.vendor == "sqlite":
            connection.settings_dict["TEST"] = {**connection.settings_dict.get("TEST", {}), "NAME": ":memory:"}
        else:
            name = connection.settings_dict["NAME"]
            connection.settings_dict["TEST"] = {**connection.settings_dict.get("TEST", {}),
                                                "NAME": f"{name}_simulate_month"}
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            outcome = simulate(parameters)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        for line in report_lines(outcome):
            self.stdout.write(line)
