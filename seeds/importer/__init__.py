"""The article import assistant's text-processing core (issue 14).

Plain functions from a press text and a snapshot of what the database knows (`Gazetteer`) to
proposal dataclasses, each fact with its verbatim quote and character offsets. No database, no
network and no model: everything here runs on strings, so it is tested without Django's test
database and evaluated on the seed texts by `python -m seeds.importer.evaluate`.
"""
