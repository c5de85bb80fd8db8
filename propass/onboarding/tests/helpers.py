from propass.onboarding.services import ApplicationInput, application_submit
from propass.testing.files import pdf

FORM = {
    "first_name": "Giulia",
    "last_name": "Rossi",
    "email": "giulia@studio-rossi.example",
    "phone": "+39 02 1234 5678",
    "language": "it",
    "company_name": "Studio Rossi S.r.l.",
    "street": "Via Roma 12",
    "postal_code": "20121",
    "city": "Milano",
    "country": "IT",
    "vat_registered": "true",
    "vat_number": "IT00743110157",
    "document_type": "vat_certificate",
    "legacy_email": "",
    "authorised": "on",
    "accept_terms": "on",
}


def application_input(**changes: object) -> ApplicationInput:
    values: dict = {
        **FORM,
        "vat_registered": True,
        "authorised": True,
        "accept_terms": True,
    }
    values.update(changes)
    return ApplicationInput(**values)


def submit(**changes: object):
    document = changes.pop("document", None) or pdf()
    return application_submit(data=application_input(**changes), document=document)
