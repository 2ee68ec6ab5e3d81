"""Fill a .po file's empty msgstr entries from a Python dict of translations (msgid -> msgstr).

Usage: python yoyaku/locale/tools/fill_po.py yoyaku/locale/ja/LC_MESSAGES/django.po yoyaku/locale/tools/ja.py
Entries already translated are kept; entries missing from the dict are listed so nothing is forgotten (a fuzzy
guess that makemessages left on one is cleared).
A plural entry (ngettext) takes either one string, used for every plural form (ja, zh-hans and ko have one),
or a list/tuple of the forms in the catalogue's Plural-Forms order.
"""

import re
import runpy
import sys
from pathlib import Path

import polib

po_path, dict_path = sys.argv[1], sys.argv[2]
translations = runpy.run_path(dict_path)["T"]
po = polib.pofile(po_path)
plural_forms = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
nplurals = int(plural_forms.group(1)) if plural_forms else 2
missing = []
for entry in po:
    if entry.obsolete:
        continue
    if entry.msgid in translations:
        value = translations[entry.msgid]
        if entry.msgid_plural:
            forms = [value] if isinstance(value, str) else list(value)
            forms += [forms[-1]] * (nplurals - len(forms))
            entry.msgstr_plural = {i: forms[i] for i in range(nplurals)}
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    else:
        if "fuzzy" in entry.flags:
            # msgmerge's guess from a similar old msgid ("console" for "Staff console"): wrong more often than
            # not for short UI strings, so it is dropped and the msgid listed as missing.
            entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
            entry.msgstr = ""
            entry.msgstr_plural = {i: "" for i in entry.msgstr_plural}
        if not entry.translated():
            missing.append(entry.msgid)
po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
if not po.metadata.get("Language"):
    po.metadata["Language"] = Path(po_path).resolve().parent.parent.name  # .../<lang>/LC_MESSAGES/django.po
po.save(po_path)
print(f"{po_path}: {len(po.translated_entries())} translated, {len(missing)} missing")
for msgid in missing:
    print("  missing:", msgid)
