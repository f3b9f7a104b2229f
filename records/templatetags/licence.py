from django import template

from records.licence import data_license

register = template.Library()


@register.inclusion_tag("records/data_license.html")
def data_licence(linked: bool = True) -> dict:
    """The data licence's name, linked to the about page's section on it; or (`linked`
    False) its name and URL as text. The pages link to no other site, so that following
    links never leaves Pacta by surprise (tests/pages/test_quality.py)."""
    return {"licence": data_license(), "linked": linked}
