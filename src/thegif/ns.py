"""Namespaces of the exchange."""

from __future__ import annotations

from typing import Final

SOAP_ENV: Final = "http://schemas.xmlsoap.org/soap/envelope/"
WSA: Final = "http://www.w3.org/2005/08/addressing"
WSSE: Final = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSDL: Final = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP: Final = "http://schemas.xmlsoap.org/wsdl/soap/"
XSD: Final = "http://www.w3.org/2001/XMLSchema"

GD: Final = "urn:th:gov:egif:data:standard:GovernmentDocument:1.0"
RAM: Final = "urn:th:gov:egif:data:standard:ReusableAggregateBusinessInformationEntity:1"
# Public client code also spells the reusable-entity namespace this way. We accept it on input and
# rewrite it to ``RAM`` before anything else looks at the document; we never emit it.
RAM_MISSPELLED: Final = "urn:th:gov:egif:data:standard:ReuseableAggregateBusinessInformaionEntity:1"

NAMESPACE_ALIASES: Final[dict[str, str]] = {RAM_MISSPELLED: RAM}

NSMAP: Final[dict[str | None, str]] = {"soap": SOAP_ENV, "wsa": WSA, "gd": GD, "ram": RAM}


def gd(name: str) -> str:
    return f"{{{GD}}}{name}"


def ram(name: str) -> str:
    return f"{{{RAM}}}{name}"


def soap(name: str) -> str:
    return f"{{{SOAP_ENV}}}{name}"


def wsa(name: str) -> str:
    return f"{{{WSA}}}{name}"


def normalise_tag(tag: str) -> str:
    """``{misspelled-ns}Name`` → ``{correct-ns}Name``; other tags unchanged."""
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        alias = NAMESPACE_ALIASES.get(uri)
        if alias is not None:
            return f"{{{alias}}}{local}"
    return tag
