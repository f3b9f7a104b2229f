"""The `basis` object every record with facts carries in the API and the exports.

`{"start_date": {"basis": "stated", "reasoning": ""}, "city": {"basis": "inferred",
"reasoning": "…"}, …}`: every fact the model declares, in its declared order, a fact without
an entry being `stated`. RecordPlan reads the column and calls `to_representation`, so the
exports and the API give the same object byte for byte.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from records.basis import Basis, normalized

HELP = (
    "How each fact is known: stated (a cited quote says it), inferred (the texts imply it; "
    "`reasoning` says how) or outside (outside knowledge; `reasoning` names what is known and "
    "from where). A fact whose value is empty claims nothing, whatever its basis."
)


def entry_schema() -> dict:
    return {
        "type": "object",
        "properties": {
            "basis": {"type": "string", "enum": list(Basis.values)},
            "reasoning": {
                "type": "string",
                "description": "Required for inferred and outside; usually empty for stated.",
            },
        },
        "required": ["basis", "reasoning"],
    }


class BasisField(serializers.Field):
    facts: tuple[str, ...] = ()

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("help_text", HELP)
        super().__init__(**kwargs)

    def to_representation(self, value) -> dict:
        return normalized(value, self.facts)


def basis_field(model: type, **kwargs) -> BasisField:
    """A `basis` field for `model`, whose OpenAPI schema names each of its facts."""
    facts = tuple(model.basis_facts)
    schema = {
        "type": "object",
        "description": HELP,
        "properties": {fact: entry_schema() for fact in facts},
        "required": list(facts),
    }
    field_class = type(f"{model.__name__}BasisField", (BasisField,), {"facts": facts})
    return extend_schema_field(schema)(field_class)(**kwargs)
