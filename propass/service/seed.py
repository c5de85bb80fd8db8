"""The default service centres of a fresh installation (`propass setup`); an operator's edits
stay, and a centre already there (by code) is left as it is."""

from propass.service.models import ServiceCentre

DEFAULT_CENTRES = [
    {"code": "amstelveen", "name": "CPS Service Centre Amstelveen", "street": "Laan van Kronenburg 12",
     "postal_code": "1183 AS", "city": "Amstelveen", "country": "NL", "holiday_country": "NL",
     "email": "service.nl@cps.example", "phone": "+31 20 545 8000"},
    {"code": "milano", "name": "CPS Centro Assistenza Milano", "street": "Via Mecenate 84",
     "postal_code": "20138", "city": "Milano", "country": "IT", "holiday_country": "IT",
     "email": "service.it@cps.example", "phone": "+39 02 8248 1000"},
    {"code": "krefeld", "name": "CPS Servicezentrum Krefeld", "street": "Hafenstraße 21",
     "postal_code": "47809", "city": "Krefeld", "country": "DE", "holiday_country": "DE",
     "email": "service.de@cps.example", "phone": "+49 2151 345 000"},
    {"code": "london", "name": "CPS Service Centre London", "street": "18 Clerkenwell Road",
     "postal_code": "EC1M 5PQ", "city": "London", "country": "GB", "holiday_country": "GB",
     "email": "service.uk@cps.example", "phone": "+44 20 7946 0100"},
    {"code": "madrid", "name": "CPS Centro de Servicio Madrid", "street": "Calle de Alcalá 265",
     "postal_code": "28027", "city": "Madrid", "country": "ES", "holiday_country": "ES",
     "email": "service.es@cps.example", "phone": "+34 91 555 0100"},
    {"code": "paris", "name": "CPS Centre de Service Paris", "street": "48 rue La Boétie",
     "postal_code": "75008", "city": "Paris", "country": "FR", "holiday_country": "FR",
     "email": "service.fr@cps.example", "phone": "+33 1 70 36 01 00"},
]  # fmt: skip


def service_seed() -> None:
    """Install the default service centres that are missing."""
    for position, centre in enumerate(DEFAULT_CENTRES):
        ServiceCentre.objects.get_or_create(code=centre["code"], defaults={**centre, "position": position})
