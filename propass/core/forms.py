from django import forms

from propass.core.errors import DomainError


def form_add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the form: per field where it names one, else on top."""
    if not error.fields:
        form.add_error(None, str(error))
        return
    for name, messages in error.fields.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, str(message))


class DatePicker(forms.DateInput):
    """The browser's date picker: `<input type="date">` takes and shows ISO dates (YYYY-MM-DD)
    whatever the page's language; the browser displays them in the reader's format."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
