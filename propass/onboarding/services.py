import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumbers import NumberParseException, PhoneNumberFormat, format_number, is_valid_number, parse

from propass.accounts.enums import BusinessRole, TokenPurpose
from propass.accounts.models import Business, BusinessMembership, User, normalize_email
from propass.accounts.services import password_link_send
from propass.billing.vat import seller_for
from propass.core.enums import AuditAction
from propass.core.errors import Conflict, IllegalTransition, InvalidInput, NotFound, NotInstalled, ServiceUnavailable
from propass.core.models import LegalTextKind, Program
from propass.core.selectors import legal_text_current, program_current
from propass.core.services import audit_record, business_days_after
from propass.core.statuses import status_move
from propass.core.uploads import CheckedUpload, upload_check
from propass.core.vat import vat_number_check
from propass.core.vies import vies_check_again, vies_check_request
from propass.notifications.enums import SecretKind
from propass.notifications.models import OutboxMessage
from propass.notifications.secrets import SecretLink
from propass.notifications.services import email_send, notification_create
from propass.onboarding.enums import (
    NON_VAT_DOCUMENTS,
    OPEN_STATUSES,
    VAT_DOCUMENTS,
    ApplicationStatus,
    DocumentType,
)
from propass.onboarding.models import Application, ApplicationDocument

logger = logging.getLogger(__name__)


@dataclass
class ApplicationInput:
    first_name: str
    last_name: str
    email: str
    phone: str
    language: str
    company_name: str
    street: str
    postal_code: str
    city: str
    country: str
    vat_registered: bool
    authorised: bool
    accept_terms: bool
    vat_number: str = ""
    legacy_email: str = ""
    document_type: str = ""
    extra_documents: list[UploadedFile] = field(default_factory=list)


def _fail(fields: dict[str, list[Any]]) -> InvalidInput:
    return InvalidInput(
        _("Some of the information is not valid."), fields={k: [str(m) for m in v] for k, v in fields.items()}
    )


def application_sla_deadline(*, start: datetime, program: Program) -> datetime:
    """Submission (or the applicant's answer) plus the program's business days."""
    return business_days_after(start=start, days=program.validation_sla_days, country=program.operator_country)


def _phone_normalise(raw: str, country: str) -> str | None:
    try:
        number = parse(raw, country)
    except NumberParseException:
        return None
    return format_number(number, PhoneNumberFormat.E164) if is_valid_number(number) else None


def _documents_allowed(*, vat_registered: bool, program: Program) -> list[str]:
    kinds = VAT_DOCUMENTS if vat_registered else NON_VAT_DOCUMENTS
    accepted = set(program.accepted_document_types or DocumentType.values)
    return [kind for kind in kinds if kind in accepted]


def application_submit(*, data: ApplicationInput, document: UploadedFile | None) -> Application:
    """Take a business account application with exactly one proof of business.

    VAT-registered companies give a VAT number valid for their country and a VAT certificate
    or commercial invoice; others give one business invoice, licence or chamber-of-commerce
    certificate. One open application per e-mail. The applicant gets an e-mail with the
    status link; validation takes up to the program's business days.
    """
    program = program_current()
    errors: dict[str, list[Any]] = {}
    email = normalize_email(data.email)
    country = (data.country or "").upper()
    if country not in program.participating_countries:
        errors["country"] = [_("This country does not take part in the program.")]
    phone = _phone_normalise(data.phone, country or "IT")
    if phone is None:
        errors["phone"] = [_("Enter a valid phone number, with the country code if it is not the company's.")]
    if not data.authorised:
        errors["authorised"] = [_("Please confirm that you are authorised to provide these details.")]
    if not data.accept_terms:
        errors["accept_terms"] = [_("Please accept the business account terms and the privacy notice.")]
    vat_check = None
    if data.vat_registered:
        vat_check = vat_number_check(country=country, number=data.vat_number)
        if not vat_check.valid:
            errors["vat_number"] = [vat_check.message]
    allowed = _documents_allowed(vat_registered=data.vat_registered, program=program)
    if data.extra_documents:
        errors["document"] = [_("Please upload exactly one document.")]
    elif document is None:
        errors["document"] = [_("Please upload one of the documents listed.")]
    if data.document_type not in allowed:
        errors["document_type"] = [_("This document type does not fit the VAT status you chose.")]
    checked = None
    if document is not None and "document" not in errors:
        try:
            checked = upload_check(document, max_bytes=program.max_upload_mb * 1024 * 1024)
        except InvalidInput as exc:
            errors.update(exc.fields)
    if Application.objects.filter(email__iexact=email, status__in=OPEN_STATUSES).exists():
        errors["email"] = [_("An application for this e-mail is already open. You will hear from us soon.")]
    if errors:
        raise _fail(errors)
    assert checked is not None and document is not None

    terms = legal_text_current(kind=LegalTextKind.BUSINESS_TERMS)
    privacy = legal_text_current(kind=LegalTextKind.PRIVACY_NOTICE)
    now = timezone.now()
    application = Application(
        token=secrets.token_urlsafe(32),
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        email=email,
        phone=phone or "",
        language=data.language,
        company_name=data.company_name.strip(),
        street=data.street.strip(),
        postal_code=data.postal_code.strip(),
        city=data.city.strip(),
        country=country,
        vat_registered=data.vat_registered,
        vat_number=vat_check.number if vat_check else "",
        vat_check=vat_check.as_dict() if vat_check else {},
        authorised=True,
        legacy_email=normalize_email(data.legacy_email),
        terms_version=terms.version if terms else "",
        privacy_version=privacy.version if privacy else "",
        submitted_at=now,
        sla_started_at=now,
        sla_deadline=application_sla_deadline(start=now, program=program),
    )
    stored: ApplicationDocument | None = None
    try:
        with transaction.atomic():
            if application.vat_number:
                application.vies_check = vies_check_request(
                    country=country, vat_number=application.vat_number, requester=_vies_requester(country)
                )
            application.save()
            stored = _document_store(application, data.document_type, checked)
            audit_record(actor=None, action=AuditAction.APPLICATION_SUBMIT, target=application)
            _email_applicant(application, "application_received", program)
    except IntegrityError:
        _document_discard(stored)
        raise _fail(
            {"email": [_("An application for this e-mail is already open. You will hear from us soon.")]}
        ) from None
    except Exception:
        _document_discard(stored)
        raise
    return application


def _vies_requester(country: str) -> str:
    """The VAT number of the seller that would sell to the company: VIES gives a consultation
    number to an EU requester (core/vies.py decides whether it is one)."""
    try:
        return seller_for(country=country).vat_number
    except (NotInstalled, ServiceUnavailable):
        return ""


def application_vies_check_again(*, application_id: int, agent: User) -> Application:
    """Ask VIES again about the application's VAT number ("Ask VIES again"): the agent may decide
    on the documents meanwhile. A former answer stays as evidence; the application shows the new one."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application_id)
        if application.vies_check is not None:
            check = vies_check_again(check=application.vies_check)
        else:
            country = str(application.country)
            made = vies_check_request(
                country=country, vat_number=application.vat_number, requester=_vies_requester(country)
            )
            if made is None:
                raise ServiceUnavailable(
                    _("VIES cannot be asked about this VAT number (no EU number, or VIES checks are switched off)."),
                    code="vies_not_applicable",
                )
            check = made
        if check.pk != application.vies_check_id:
            application.vies_check = check
            application.save(update_fields=["vies_check", "updated_at"])
        audit_record(
            actor=agent, action=AuditAction.APPLICATION_VIES_CHECK, target=application, data={"vies_check": check.pk}
        )
    return application


def _document_store(application: Application, document_type: str, checked: CheckedUpload) -> ApplicationDocument:
    document = ApplicationDocument(
        application=application,
        document_type=document_type,
        original_name=checked.safe_name,
        content_type=checked.content_type,
        size=checked.size,
    )
    document.file.save(f"document.{checked.extension}", ContentFile(checked.content), save=False)
    document.save()
    return document


def _document_discard(document: ApplicationDocument | None) -> None:
    # The database rolled back; the file written before it must go too.
    if document is not None and document.file.name:
        try:
            document.file.storage.delete(document.file.name)
        except Exception:
            logger.exception("could not delete orphaned upload %s", document.file.name)


def _status_link(application: Application) -> SecretLink:
    # The status page shows the application and takes documents: only the applicant may see it.
    return SecretLink(
        path=reverse("onboarding:status", args=[application.token]), kind=SecretKind.APPLICATION, ref=application.pk
    )


def _email_applicant(application: Application, template: str, program: Program, **context: object) -> OutboxMessage:
    return email_send(
        to=application.email,
        template=template,
        language=application.language,
        sender=program.sender,
        context={"application": application, "program": program, "status_path": _status_link(application), **context},
    )


# The e-mail that carries the status link, by the application's status.
_STATUS_EMAILS = {
    ApplicationStatus.SUBMITTED: "application_received",
    ApplicationStatus.IN_REVIEW: "application_received",
    ApplicationStatus.INFO_REQUESTED: "application_info_requested",
    ApplicationStatus.REJECTED: "application_rejected",
}


def application_link_resend(*, application_id: int, actor: User) -> OutboxMessage:
    """Staff helping an applicant have the link to their application page sent again, to the
    address on the application, with the e-mail of its current status. Audited; staff never
    see the link."""
    application = Application.objects.filter(pk=application_id).first()
    if application is None or not application.email:  # an erased applicant has no address
        raise NotFound()
    template = _STATUS_EMAILS.get(ApplicationStatus(application.status))
    if template is None:
        raise Conflict(
            _("This application is approved: send the business a new set-password link instead."), code="approved"
        )
    with transaction.atomic():
        message = _email_applicant(application, template, program_current())
        audit_record(
            actor=actor, action=AuditAction.APPLICATION_LINK_RESEND, target=application, data={"message": message.pk}
        )
    return message


def application_add_document(*, token: str, document_type: str, document: UploadedFile | None) -> Application:
    """The applicant answers a request for information with one more document; the
    application goes back into the queue and its SLA starts again from now."""
    program = program_current()
    application = Application.objects.filter(token=token).first()
    if application is None:
        raise NotFound()
    if application.status != ApplicationStatus.INFO_REQUESTED:
        raise Conflict(_("We did not ask for more information on this application."), code="not_requested")
    if document_type not in DocumentType.values:
        raise _fail({"document_type": [_("Choose the kind of document.")]})
    if document is None:
        raise _fail({"document": [_("Please upload one of the documents listed.")]})
    checked = upload_check(document, max_bytes=program.max_upload_mb * 1024 * 1024)
    stored = None
    try:
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=application.pk)
            stored = _document_store(locked, document_type, checked)
            now = timezone.now()
            status_move(
                locked,
                ApplicationStatus.SUBMITTED,
                action=AuditAction.APPLICATION_ANSWER,
                data={"document": stored.pk},
                sla_started_at=now,
                sla_deadline=application_sla_deadline(start=now, program=program),
            )
    except Exception:
        _document_discard(stored)
        raise
    return locked


def _decide(
    application_id: int,
    new: ApplicationStatus,
    agent: User,
    *,
    action: AuditAction | None = None,
    data: dict[str, Any] | None = None,
    **fields: Any,
) -> Application:
    """Lock the application and move it to `new` (audited when `action` is given); a second
    agent gets "already decided"."""
    application = Application.objects.select_for_update().filter(pk=application_id).first()
    if application is None:
        raise NotFound()
    try:
        status_move(application, new, actor=agent, action=action, data=data, **fields)
    except IllegalTransition:
        raise Conflict(
            _("This application was already decided or changed by someone else (now: %(status)s)."),
            code="already_decided",
            status=application.get_status_display(),
        ) from None
    return application


def application_start_review(*, application_id: int, agent: User) -> Application:
    """An agent takes a submitted application into review."""
    with transaction.atomic():
        application = _decide(application_id, ApplicationStatus.IN_REVIEW, agent, action=AuditAction.APPLICATION_REVIEW)
    return application


def application_request_info(*, application_id: int, agent: User, message: str) -> Application:
    """Ask the applicant for more information; they answer on the status page."""
    if not message.strip():
        raise _fail({"message": [_("Tell the applicant what is missing.")]})
    program = program_current()
    with transaction.atomic():
        application = _decide(
            application_id,
            ApplicationStatus.INFO_REQUESTED,
            agent,
            action=AuditAction.APPLICATION_REQUEST_INFO,
            data={"message": message},
            info_request_message=message.strip(),
        )
        _email_applicant(application, "application_info_requested", program)
    return application


def application_reject(*, application_id: int, agent: User, reason: str) -> Application:
    """Reject with a reason, which the applicant receives in their language."""
    if not reason.strip():
        raise _fail({"reason": [_("Give the applicant a reason.")]})
    program = program_current()
    with transaction.atomic():
        application = _decide(
            application_id,
            ApplicationStatus.REJECTED,
            agent,
            action=AuditAction.APPLICATION_REJECT,
            data={"reason": reason},
            rejection_reason=reason.strip(),
            decided_at=timezone.now(),
            decided_by=agent,
        )
        _email_applicant(application, "application_rejected", program)
    return application


def application_approve(*, application_id: int, agent: User) -> Application:
    """Create the business and its superuser (no usable password, linked old CPS e-mail)
    and send the program's automated e-mail with a single-use set-password link."""
    program = program_current()
    with transaction.atomic():
        application = _decide(
            application_id, ApplicationStatus.APPROVED, agent, decided_at=timezone.now(), decided_by=agent
        )
        if User.objects.filter(email__iexact=application.email).exists():
            raise Conflict(
                _("A user with this e-mail already exists; the applicant must use another e-mail."),
                code="email_taken",
            )
        business = Business.objects.create(
            name=application.company_name,
            street=application.street,
            postal_code=application.postal_code,
            city=application.city,
            country=application.country,
            vat_number=application.vat_number,
            vies_check=application.vies_check,  # the same number: VIES's answer about it holds
            language=application.language,
            currency=seller_for(country=str(application.country)).currency,
            legacy_email=application.legacy_email,
        )
        user = User.objects.create_user(
            application.email,
            first_name=application.first_name,
            last_name=application.last_name,
            language=application.language,
        )
        BusinessMembership.objects.create(user=user, business=business, role=BusinessRole.SUPERUSER)
        application.business = business
        application.save(update_fields=["business", "updated_at"])
        audit_record(
            actor=agent,
            action=AuditAction.APPLICATION_APPROVE,
            target=application,
            data={"business": business.pk},
        )
        password_link_send(user=user, purpose=TokenPurpose.SET_PASSWORD, program=program)
        notification_create(
            user=user,
            kind="application_approved",
            title=_("Welcome to %(program)s: the business account of %(business)s is approved"),
            body=_("Register your products on MY PRODUCTS to earn points."),
            url=reverse("products:list"),
            params={"program": program.name, "business": business.name},
        )
    return application
