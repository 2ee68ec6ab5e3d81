"""Fill a .po file's empty msgstr entries from a Python dict of translations (msgid -> msgstr).

Usage: python yoyaku/locale/tools/fill_po.py yoyaku/locale/ja/LC_MESSAGES/django.po yoyaku/locale/tools/ja.py
Entries already translated are kept; entries missing from the dict are listed so nothing is forgotten.
"""

import runpy
import sys

import polib

po_path, dict_path = sys.argv[1], sys.argv[2]
translations = runpy.run_path(dict_path)["T"]
po = polib.pofile(po_path)
missing = []
for entry in po:
    if entry.obsolete:
        continue
    if entry.msgid in translations:
        entry.msgstr = translations[entry.msgid]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    elif not entry.msgstr:
        missing.append(entry.msgid)
po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
po.save(po_path)
print(f"{po_path}: {len(po.translated_entries())} translated, {len(missing)} missing")
for msgid in missing:
    print("  missing:", msgid)
