"""The WSDL of the hub service (SOAP 1.1, document/literal, schemas embedded)."""

from __future__ import annotations

import copy
import functools

from lxml import etree  # type: ignore[import-untyped]  # no stubs pinned for lxml

from thegif import codec, ns
from thegif.messages import OPERATIONS
from thegif.soap import ACTION_PREFIX
from thegif.xmlsafe import hardened_parser

SERVICE_NS = "urn:th:gov:egif:ecms:service:2.0"
WSAW = "http://www.w3.org/2006/05/addressing/wsdl"


@functools.cache
def _embedded_schemas() -> tuple[etree._Element, ...]:
    out = []
    for name in codec.SCHEMA_FILES:
        tree = etree.parse(str(codec.SCHEMA_DIR / name), hardened_parser())
        root = copy.deepcopy(tree.getroot())
        for imp in root.iterfind(f"{{{ns.XSD}}}import"):
            # both schemas sit in the WSDL's types, so no location is needed (nor fetched)
            imp.attrib.pop("schemaLocation", None)
        out.append(root)
    return tuple(out)


def wsdl_bytes(address: str) -> bytes:
    """The WSDL with ``address`` as the service location."""
    w, s = ns.WSDL, ns.WSDL_SOAP
    nsmap = {"wsdl": w, "soap": s, "xs": ns.XSD, "tns": SERVICE_NS, "gd": ns.GD, "ram": ns.RAM, "wsaw": WSAW}
    root = etree.Element(f"{{{w}}}definitions", nsmap=nsmap)
    root.set("name", "ECMSCorrespondenceService")
    root.set("targetNamespace", SERVICE_NS)
    doc = etree.SubElement(root, f"{{{w}}}documentation")
    doc.text = "e-CMS 2.0 correspondence exchange hub (ระบบแลกเปลี่ยนหนังสือราชการกลาง). See docs/PROTOCOL.md."
    types = etree.SubElement(root, f"{{{w}}}types")
    for schema_el in _embedded_schemas():
        types.append(copy.deepcopy(schema_el))

    for op, (req, resp) in OPERATIONS.items():
        for suffix, cls in (("Input", req), ("Output", resp)):
            msg = etree.SubElement(root, f"{{{w}}}message", name=f"{op}{suffix}")
            etree.SubElement(msg, f"{{{w}}}part", name="parameters", element=f"gd:{cls.ELEMENT}")
    fault_msg = etree.SubElement(root, f"{{{w}}}message", name="ErrorDetailFault")
    etree.SubElement(fault_msg, f"{{{w}}}part", name="detail", element="gd:ErrorDetail")

    port_type = etree.SubElement(root, f"{{{w}}}portType", name="CorrespondencePortType")
    for op in OPERATIONS:
        op_el = etree.SubElement(port_type, f"{{{w}}}operation", name=op)
        etree.SubElement(op_el, f"{{{w}}}input", message=f"tns:{op}Input")
        etree.SubElement(op_el, f"{{{w}}}output", message=f"tns:{op}Output")
        etree.SubElement(op_el, f"{{{w}}}fault", name="ErrorDetail", message="tns:ErrorDetailFault")

    binding = etree.SubElement(
        root, f"{{{w}}}binding", name="CorrespondenceBinding", type="tns:CorrespondencePortType"
    )
    etree.SubElement(binding, f"{{{WSAW}}}UsingAddressing").set(f"{{{w}}}required", "true")
    etree.SubElement(
        binding, f"{{{s}}}binding", style="document", transport="http://schemas.xmlsoap.org/soap/http"
    )
    for op in OPERATIONS:
        op_el = etree.SubElement(binding, f"{{{w}}}operation", name=op)
        etree.SubElement(op_el, f"{{{s}}}operation", soapAction=f"{ACTION_PREFIX}{op}", style="document")
        for direction in ("input", "output"):
            etree.SubElement(etree.SubElement(op_el, f"{{{w}}}{direction}"), f"{{{s}}}body", use="literal")
        fault = etree.SubElement(op_el, f"{{{w}}}fault", name="ErrorDetail")
        etree.SubElement(fault, f"{{{s}}}fault", name="ErrorDetail", use="literal")

    service = etree.SubElement(root, f"{{{w}}}service", name="CorrespondenceService")
    port = etree.SubElement(service, f"{{{w}}}port", name="CorrespondencePort", binding="tns:CorrespondenceBinding")
    etree.SubElement(port, f"{{{s}}}address", location=address)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))
