# 2026년 12월 3일 (목) 9:30. Used by the `date` filter and django.utils.formats.date_format everywhere.
DATE_FORMAT = "Y년 n월 j일 (D)"
DATETIME_FORMAT = "Y년 n월 j일 (D) G:i"
MONTH_DAY_FORMAT = "n/j"
TIME_FORMAT = "G:i"
