"""Country lists are sorted by the name in the reader's language, accents not putting a
country last ("Österreich" between "Norwegen" and "Polen")."""

import re

from propass.core.countries import collation_key


def _listed(page: str, select: str) -> list[str]:
    block = re.search(rf'<select[^>]*name="{select}"[^>]*>(.*?)</select>', page, re.S)
    assert block is not None
    return [
        name.strip()
        for name in re.findall(r"<option [^>]*>([^<]*)</option>", block.group(1))
        if name.strip() not in {"", "—", "Alle"}
    ]


def _in_order(names: list[str]) -> bool:
    return names == sorted(names, key=collation_key)


def test_the_german_apply_form_lists_oesterreich_among_the_o(client, program):
    names = _listed(client.get("/apply/", HTTP_ACCEPT_LANGUAGE="de").content.decode(), "country")
    assert names.index("Norwegen") < names.index("Österreich") < names.index("Polen")
    assert _in_order(names)


def test_the_staff_application_filter_lists_countries_the_same_way(client, program, validation_agent):
    validation_agent.language = "de"
    validation_agent.save()
    client.force_login(validation_agent)
    names = _listed(client.get("/backoffice/applications/").content.decode(), "country")
    assert names.index("Norwegen") < names.index("Österreich") < names.index("Polen")


def test_the_product_form_lists_every_country_the_same_way(client, owner):
    owner.language = "de"
    owner.save()
    client.force_login(owner)
    names = _listed(client.get("/products/register/").content.decode(), "country_of_purchase")
    assert names.index("Norwegen") < names.index("Österreich") < names.index("Polen")
    assert _in_order(names)
