"""Make the English catalog complete: every empty msgstr becomes its msgid (the source is English).

Run by ``make messages`` after ``pybabel update``.
"""

from babel.messages.pofile import read_po, write_po

PATH = "translations/en/LC_MESSAGES/messages.po"

with open(PATH, "rb") as f:
    catalog = read_po(f, locale="en")
for message in catalog:
    if not message.id:
        continue
    if isinstance(message.id, tuple):
        if not all(message.string):
            message.string = message.id
    elif not message.string:
        message.string = message.id
    message.flags.discard("fuzzy")
with open(PATH, "wb") as f:
    write_po(f, catalog, width=100)
