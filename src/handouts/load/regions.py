"""Take a clinic's region (an ISO 3166-1 country code) and give back the number its patients call in an emergency.

Warning boxes and the aftercare card tell patients to call for help; "911" is right in the US and
Canada only. Blocks write ``{{ clinic.emergency_number }}``, which prints the number for the
clinic's region from this table, or the clinic's own ``emergency_number:`` (a region missing
here must give one: ``load_clinic`` says so at its ``region:`` line).

The numbers are those the governments publish for an ambulance (the EU's single number 112,
the UK's 999, Australia's Triple Zero, New Zealand's 111, the ambulance numbers of East Asia).
"""

from __future__ import annotations

_EU_112 = (
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"  # the EU
    " NO IS LI CH IN"  # and others whose single emergency number is 112
)
EMERGENCY: dict[str, str] = {
    **{code: "112" for code in _EU_112.split()},
    "US": "911",
    "CA": "911",
    "MX": "911",
    "GB": "999",
    "HK": "999",
    "MY": "999",
    "AU": "000",
    "NZ": "111",
    "CN": "120",  # ambulance
    "TW": "119",
    "JP": "119",
    "KR": "119",
    "SG": "995",  # ambulance
}


def emergency_number(region: str) -> str | None:
    """Return the emergency (ambulance) number of ``region``, or ``None`` when this table does not know it."""
    return EMERGENCY.get(region)
