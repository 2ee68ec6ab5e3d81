# Thu 3 Dec 2026, 9:30 (day before month, as in British English). Used by the `date` filter and
# django.utils.formats.date_format everywhere.
DATE_FORMAT = "D j M Y"
DATETIME_FORMAT = "D j M Y, G:i"
MONTH_DAY_FORMAT = "j/n"
TIME_FORMAT = "G:i"
