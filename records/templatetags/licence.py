from django import template

from records.licence import data_license

register = template.Library()


@register.inclusion_tag("records/data_license.html")
def data_licence() -> dict:
    """The data licence, linked: "CC BY 4.0"."""
    return {"licence": data_license()}
