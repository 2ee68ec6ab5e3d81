"""A month of a city, simulated through the real services and the real outbox worker (`manage.py
simulate_month`): how many freed places are refilled before their day, and how many opened doses are wasted.

parameters.py says every assumption (each a command-line option); engine.py runs the month on a simulated
clock (every service is called with `now=`); report.py prints the figures. docs/architecture.md,
"Stewardship", has the model and bench/README.md the measured figures.
"""

from .engine import simulate
from .parameters import Parameters
from .report import report_lines

__all__ = ["Parameters", "report_lines", "simulate"]
