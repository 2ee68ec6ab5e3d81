# Dates as the city's guide writes them: 2026年12月3日（木） 9:30. Used by the `date` filter and
# django.utils.formats.date_format everywhere (pages, errors, emails).
DATE_FORMAT = "Y年n月j日（D）"
DATETIME_FORMAT = "Y年n月j日（D）G:i"
MONTH_DAY_FORMAT = "n/j"
TIME_FORMAT = "G:i"
