"""The regulations this project's controls serve, and the jurisdiction it was generated for.

Each area of control cites the clauses it serves, with a link to the official text: the UKGC Remote
gambling and software Technical Standards (RTS) security requirements, which cite ISO/IEC 27001:2022
Annex A; the Malta Gaming Authority's Gaming Authorisations and Compliance Directive (Directive 3 of
2018) and its guidelines on technical infrastructure; New Jersey's N.J.A.C. 13:69O (Internet and
mobile gaming); and GLI-19 (Standards for Interactive Gaming Systems). For a jurisdiction not mapped
here (added to the manifest as data), a control cites the jurisdiction's security instrument
(tools/jurisdiction.json, rendered from the template's manifest), and a control that checks a
manifest rule cites that rule's source. A control is evidence for an auditor, not a legal opinion.

Both audits cite from here: the AWS flavour's (tools/audit/) and the Terraform flavours' own controls
(tools/infra_check.py). Standard library only: the scanners' Python imports it too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

# The regulations a control serves, by jurisdiction (the template's jurisdiction names) plus GLI-19.
GLI_19 = "gli-19"


@dataclass(frozen=True)
class Citation:
    """The clause a control serves: what it says, and a link to the official text (https)."""

    clause: str
    url: str

    def markdown(self) -> str:
        return f"[{self.clause}]({self.url})"


UKGC_RTS = "https://www.gamblingcommission.gov.uk/standards/remote-gambling-and-software-technical-standards"
MGA_DIRECTIVE = "MGA Directive 3 of 2018"
MGA_DIRECTIVE_TEXT = "https://www.mga.org.mt/app/uploads/Directive-3-of-2018-Gaming-Authorisations-and-Compliance-Directive.pdf"
MGA_INFRASTRUCTURE = "MGA technical infrastructure guidelines"
MGA_INFRASTRUCTURE_TEXT = "https://www.mga.org.mt/app/uploads/Technical-Infrastructure-hosting-Gaming-and-Control-Systems-Remote-Gaming.pdf"
NJAC_69O = "https://www.nj.gov/oag/ge/docs/Regulations/CHAPTER69O.pdf"
GLI_19_TEXT = "https://gaminglabs.com/wp-content/uploads/2024/06/GLI-19-Interactive-Gaming-Systems-v3.0.pdf"


def serves(uk: str, mga: str, nj: str, gli: str) -> dict[str, Citation]:
    """The clauses a control serves, by jurisdiction, each with the link to its official text."""
    mga_text = MGA_INFRASTRUCTURE_TEXT if mga.startswith(MGA_INFRASTRUCTURE) else MGA_DIRECTIVE_TEXT
    return {
        "uk-gc": Citation(f"UKGC RTS security, ISO/IEC 27001:2022 {uk}", UKGC_RTS),
        "mga": Citation(mga, mga_text),
        "us-nj": Citation(f"N.J.A.C. {nj}", NJAC_69O),
        GLI_19: Citation(f"GLI-19: {gli}", GLI_19_TEXT),
    }


SYSTEM_INTEGRITY = serves(
    "A.8.9 configuration management, A.8.32 change management",
    f"{MGA_DIRECTIVE}: integrity of the critical gaming system",
    "13:69O-1.2 (gaming system integrity and security assessment)",
    "system integrity and change control",
)
LEAST_PRIVILEGE = serves(
    "A.5.15 access control, A.8.2 privileged access rights, A.8.3 information access restriction",
    f"{MGA_DIRECTIVE}: information security, access control",
    "13:69O-1.4 (system security and operational controls)",
    "logical access control (least privilege)",
)
MONITORING = serves(
    "A.8.16 monitoring activities",
    f"{MGA_DIRECTIVE} art. 37(2): security incidents reported within three working days",
    "13:69O-1.4(c) (detect and report)",
    "monitoring and incident detection",
)
ENCRYPTION = serves(
    "A.8.24 use of cryptography",
    f"{MGA_INFRASTRUCTURE}: integrity and security of regulatory data",
    "13:69O-1.4 (security of patron accounts and data)",
    "cryptography and protection of data at rest",
)
LOGGING = serves(
    "A.8.15 logging, A.5.33 protection of records",
    f"{MGA_INFRASTRUCTURE}: transaction logs accessible at all times",
    "13:69O-1.8 (mandatory gaming system logging)",
    "event logging and log protection",
)
RECORDS = serves(
    "A.5.33 protection of records",
    f"{MGA_INFRASTRUCTURE}: financial transaction logs kept and accessible",
    "13:69O-1.8(d) (information to recreate play and account activity kept no less than 10 years)",
    "information to be maintained (record retention)",
)
BACKUP = serves(
    "A.8.13 information backup",
    f"{MGA_DIRECTIVE}: information security, backup and recovery",
    "13:69O-1.2 (primary and backup gaming equipment)",
    "backup and recovery",
)
DELIVERY = serves(
    "A.8.16 monitoring activities, A.8.14 redundancy",
    f"{MGA_INFRASTRUCTURE}: integrity of regulatory data",
    "13:69O-1.4 (operational controls)",
    "transaction integrity and recovery",
)
COMMUNICATIONS = serves(
    "A.8.20 networks security, A.8.26 application security requirements",
    f"{MGA_DIRECTIVE}: information security, secure player communications",
    "13:69O-1.4(b) (secure communications with client terminals)",
    "communications security",
)
AUTHENTICATION = serves(
    "A.8.5 secure authentication, A.5.15 access control",
    f"{MGA_DIRECTIVE}: information security, player account access",
    "13:69O-1.4(a) (patron access limited to the account holder)",
    "player account security and authentication",
)
CAPACITY = serves(
    "A.8.6 capacity management",
    f"{MGA_DIRECTIVE} art. 37(2)(d): players kept able to reach their accounts",
    "13:69O-1.4 (system standards and operational controls)",
    "system availability and capacity",
)
PRIVACY = serves(
    "A.8.15 logging, A.5.34 privacy and protection of PII",
    f"{MGA_INFRASTRUCTURE}: personal data handled under data protection rules",
    "13:69O-1.8 (mandatory gaming system logging)",
    "event logging and data protection",
)
SECRETS = serves(
    "A.5.17 authentication information, A.8.24 use of cryptography",
    f"{MGA_DIRECTIVE}: information security, protection of credentials",
    "13:69O-1.4 (system security)",
    "protection of credentials and sensitive data",
)
RESIDENCY = serves(
    "A.5.23 information security for use of cloud services",
    f"{MGA_INFRASTRUCTURE}: location of the technical infrastructure (EU/EEA)",
    "13:69O-1.2 (location of gaming equipment; data stays in the United States)",
    "server location and data residency",
)
NETWORK = serves(
    "A.8.20 networks security, A.8.22 segregation of networks",
    f"{MGA_DIRECTIVE}: information security, network security of the critical gaming system",
    "13:69O-1.4 (system security and operational controls)",
    "network security: segregation and controlled egress",
)
EDGE = serves(
    "A.8.20 networks security, A.8.21 security of network services, A.8.26 application security requirements",
    f"{MGA_DIRECTIVE}: information security, protection of the gaming system from attacks",
    "13:69O-1.4 (system security and operational controls)",
    "network security: firewalls and protection against attacks",
)
PLAYER_LOCATION = serves(
    "A.5.31 legal, statutory, regulatory and contractual requirements",
    f"{MGA_DIRECTIVE}: players served only in the markets the licence covers",
    "13:69O-1.2(e) (the patron's physical location detected; wagers only from an authorized location)",
    "player location (geolocation)",
)


def _jurisdiction() -> tuple[str, str, dict[str, Citation | str]]:
    """The jurisdiction this project was generated for, its title, and the source of each of its rules.

    A source is the clause with its link, or the template's policy with its reason (the manifest's
    `sources` of the jurisdiction, as docs/compliance.md cites them); `security` is the jurisdiction's
    security instrument, cited next to a control the areas above map to no clause of it.
    """
    data = json.loads(Path(__file__).with_name("jurisdiction.json").read_text(encoding="utf-8"))
    sources: dict[str, Citation | str] = {
        key: (
            f"template policy: {entry['policy']}"
            if "policy" in entry
            else Citation(f"{entry['instrument']}, {entry['section']}", entry["url"])
        )
        for key, entry in data["sources"].items()
    }
    return data["jurisdiction"], data["title"], sources


JURISDICTION, JURISDICTION_TITLE, SOURCES = _jurisdiction()


def cited(serves: dict[str, Citation], rule: str | None = None) -> Citation | str:
    """The clause a control serves in this project's jurisdiction (or the policy behind it).

    A control that checks a manifest rule cites that rule's source; otherwise its area's clause for
    the jurisdiction; a jurisdiction the areas do not map gets its security instrument.
    """
    if rule is not None:
        return SOURCES[rule]
    if JURISDICTION in serves:
        return serves[JURISDICTION]
    return SOURCES["security"]
