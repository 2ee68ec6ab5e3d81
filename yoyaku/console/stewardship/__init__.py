"""The console's stewardship area: a venue's same-day standby list (キャンセル待ち) and its leftover doses."""
