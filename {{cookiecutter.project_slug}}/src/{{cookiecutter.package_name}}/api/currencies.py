"""ISO 4217 currencies a wallet may hold: the codes of currencies in circulation (ISO 4217 list one).

Fund codes (BOV, CLF, CHE, ...), precious metals (XAU, XAG, ...), special drawing rights (XDR), the
testing code XTS and "no currency" XXX are left out: none of them is money a player deposits. A code
that is three capital letters but not on this list (`XYZ`) would open a wallet in a currency no
payment provider settles, so it is refused. Withdrawn codes (HRK, SLL, ZWL, ANG) are left out too.
"""

from __future__ import annotations

# Alphabetical, as the standard lists them.
_LIST_ONE = """
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
    CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP
    GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD
    KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN
    NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP
    SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES
    VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
"""
ISO_4217_CURRENCIES = frozenset(_LIST_ONE.split())


def is_currency(value: object) -> bool:
    """True for an ISO 4217 code of a currency in circulation, exactly (no spaces, no newline)."""
    # A set lookup is a full match by construction: "EUR\n" is not "EUR".
    return isinstance(value, str) and value in ISO_4217_CURRENCIES
