"""The e-CMS 2.0 exchange wire format as a plain Python library (no Django).

XML schemas, typed messages, build / parse / validate, the SOAP 1.1 envelope with WS-Addressing,
SOAP faults with stable codes, hardened XML parsing, the WSDL, a client class and a command line.
"""

from __future__ import annotations

__all__ = ["__version__"]
__version__ = "2.0.0"
