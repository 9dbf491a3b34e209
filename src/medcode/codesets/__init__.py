"""One importer per official file format, each in its own module (see ``base.py`` for the contract).

``IMPORTERS`` maps a format name to its module. The order is the build order: code lists first,
then files that refer to codes.
"""
