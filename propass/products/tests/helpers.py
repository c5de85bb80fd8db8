from datetime import date

from propass.catalog.models import ProductModel
from propass.products.services import RegistrationInput, registration_create


def camera(code: str = "EOS-R5", points: int = 220, **fields: object) -> ProductModel:
    defaults = {"name": code.replace("-", " "), "category": "camera", "points": points, "serial_pattern": "[0-9]{12}"}
    defaults.update(fields)
    return ProductModel.objects.update_or_create(code=code, defaults=defaults)[0]


def details(product: ProductModel | None, serial: str = "012345678901", **changes: object) -> RegistrationInput:
    values: dict = {
        "product_id": product.pk if product else None,
        "serial_number": serial,
        "purchase_date": date(2024, 3, 1),
        "country_of_purchase": "IT",
        "dealer": "Foto Milano",
    }
    values.update(changes)
    return RegistrationInput(**values)


def register(business, product, serial="012345678901", actor=None, **changes):
    return registration_create(business=business, actor=actor, data=details(product, serial, **changes))
