"""The words and patterns an Abschlag request is read with (German).

Kept apart from :mod:`.analysis`, which applies them: the vocabulary grows
with every new phrasing seen in real mail, the reading logic rarely.
"""

from __future__ import annotations

import re

TOPIC = re.compile(r"\babschl(?:ag|ä?ge|ags)\w*", re.IGNORECASE)
DECREASE = re.compile(
    r"\b(?:senk|gesenkt|reduzier|verringer|herab|herunter|runter|kürz|gekürzt|verminder|"
    r"absenk|niedriger)\w*",
    re.IGNORECASE,
)
INCREASE = re.compile(
    r"\b(?:erhöh|anheb|angehoben|hebe\w*\s+\w+\s+an\b|herauf|hochsetz|hochzusetz|aufstock|"
    r"steigern|höher\b)\w*",
    re.IGNORECASE,
)
CHANGE = re.compile(
    r"\b(?:änder|geändert|anpass|angepasst|passen\b|umstell|umgestellt|stellen\b|setzen\b|"
    r"festsetz|neue[nrs]?\s+(?:monatliche[nrs]?\s+)?abschlag)\w*",
    re.IGNORECASE,
)
NEGATION = re.compile(
    r"\b(?:nicht|nichts|kein|keine|keinen|keinem|keiner|keines|nie|niemals|weder|"
    r"keinesfalls)\b",
    re.IGNORECASE,
)
CONDITIONAL = re.compile(
    r"\b(?:wenn|falls|sofern|vorausgesetzt|unter der bedingung)\b(?!\s+(?:möglich|es geht|"
    r"nötig|erforderlich|machbar))",
    re.IGNORECASE,
)
CANCELLATION = re.compile(
    r"vergessen sie|ignorieren sie|hat sich erledigt|storn|zurückzieh|ziehe\w* \w+ zurück|"
    r"doch nicht|kommando zurück|unverändert|beibehalten|(?:so|gleich) bleiben|"
    r"soll\w* \w+ bleiben",
    re.IGNORECASE,
)
TEMPORARY = re.compile(
    r"\b(?:vorübergehend|befristet|einmalig|ausnahmsweise|nur (?:für )?(?:diesen|einen|"
    r"den nächsten) monat|für (?:\w+ )?(?:monate|wochen)|diesen monat)\b",
    re.IGNORECASE,
)
HEDGE = re.compile(
    r"\b(?:überleg\w*|nachzudenken|nachdenk\w*|denke\w* \w+ nach|gedanke\w*|frage mich|"
    r"vielleicht|eventuell|evtl|möglicherweise|unter umständen|gegebenenfalls|ggf|"
    r"wüsste gern\w*|würde\w* gerne? wissen|informier\w*|auskunft)\b",
    re.IGNORECASE,
)
# A statement about something done ("Sie haben meinen Abschlag auf 55 € gesenkt") is
# not a request, even though it names an amount.
PAST = re.compile(
    r"\b(?:haben|habe|hat|hatten|hatte|wurde|wurden|worden|ist|sind|war|waren)\b[^.?!]{0,60}"
    r"\b(?:gesenkt|erhöht|geändert|angepasst|reduziert|umgestellt|herabgesetzt|"
    r"heruntergesetzt|angehoben|verringert|gekürzt|festgesetzt|gesetzt)\b",
    re.IGNORECASE,
)
DIVISION = re.compile(r"\b(?:öko|erd|fern)?(strom|gas|wasser|wärme)\b", re.IGNORECASE)
PERCENT = re.compile(r"%|\bprozent\b", re.IGNORECASE)
REPRESENTATION = re.compile(
    r"im namen|im auftrag|vollmacht|bevollmächtig|betreuer|betreuung\b|gesetzliche\w* vertret|"
    r"(?:für|von) (?:meine[nmrs]?|unsere[nmrs]?) (?:vater|mutter|eltern|oma|opa|groß\w+|onkel|"
    r"tante|sohn|tochter|nachbar\w*|schwieger\w*|bruder|schwester|mann|frau|partner\w*|"
    r"mieter\w*|vermieter\w*|kunde\w*|mandant\w*)\b|"
    r"(?:meines|unseres) (?:vaters|onkels|bruders|sohnes|großvaters|schwiegervaters|nachbarn|"
    r"mieters|mandanten|mannes|partners)\b|"
    r"(?:meiner|unserer) (?:mutter|tochter|schwester|tante|großmutter|schwiegermutter|"
    r"nachbarin|mieterin|mandantin|eltern|frau|partnerin)\b",
    re.IGNORECASE,
)
# Other requests of a utility; a mail that mentions one of these is not a plain
# Abschlag change even if it also mentions the installment.
OTHER_CONCERNS: dict[str, re.Pattern[str]] = {
    "zaehlerstand": re.compile(
        r"zähler\s?stand|zählerablesung|ablesung|abgelesen|ablesen|"
        r"zählernummer|zählerwechsel",
        re.I,
    ),
    "umzug": re.compile(
        r"umzug|umziehen|\bzieh\w*\b[^.?!]{0,40}\bum\b(?!\s*(?:€|eur|\d))|"
        r"auszug|ausziehen|einzug|neue (?:adresse|anschrift|wohnung)",
        re.I,
    ),
    "kuendigung": re.compile(r"kündig|vertragsende|vertrag beenden|abmelden|abmeldung", re.I),
    "bankverbindung": re.compile(
        r"bankverbindung|kontoverbindung|\biban\b|\bbic\b|\bsepa\b|"
        r"lastschriftmandat|einzugsermächtigung|neues konto|"
        r"kontonummer|bankdaten",
        re.I,
    ),
    "tarif": re.compile(r"tarif|ökostrom|grundversorgung|preiserhöhung|preisanpassung", re.I),
    "reklamation": re.compile(
        r"widerspruch|widerspreche|einspruch|reklamation|beschwer|"
        r"fehlerhaft|falsch (?:berechnet|abgerechnet)|stimmt nicht|"
        r"nicht korrekt|nicht nachvollziehbar|\bfalsch\b|\bfehler\b|"
        r"irrtum|versehen",
        re.I,
    ),
    "stoerung": re.compile(
        r"störung|stromausfall|kein strom|kein wasser|kein gas|"
        r"rohrbruch|gasgeruch|notfall",
        re.I,
    ),
    "zahlung": re.compile(
        r"ratenzahlung|stundung|zahlungsaufschub|mahnung|sperrung|sperre\b|"
        r"auszahl|zurücküberweis|erstatten sie|überweisen sie",
        re.I,
    ),
}
POLITE_REQUEST = re.compile(
    r"^(?:bitte\s+)?(?:(?:können|könnten|würden|wären|würdest|kannst|könntest)\s+(?:sie|ihr|du)"
    r"|(?:ist|wäre|wär)\s+es\s+(?:möglich|machbar)"
    r"|(?:ist|wäre)\s+(?:das|dies)\s+(?:möglich|machbar|in ordnung|ok)"
    r"|(?:geht|ginge)\s+(?:das|dies))\b",
    re.IGNORECASE,
)
CONTRACT_NUMBER = re.compile(r"(?<![\w])(\d{8})(?![\w])")
NOT_CONTRACT_LABEL = re.compile(
    r"(?:tel\w*|fax|mobil|handy|iban|blz|bic|konto\w*|kunden\s?-?n(?:umme)?r\.?|"
    r"zähler\s?-?n(?:umme)?r\.?|rechnungs\s?-?n(?:umme)?r\.?|aktenzeichen|az|plz|"
    r"steuer\w*|zählernummer)\W{0,3}$",
    re.IGNORECASE,
)
PHONE_PREFIX = re.compile(r"(?:\+\d{1,3}[\s/-]?\d{0,5}|\b0\d{2,5})[\s/-]$")
MONTHS = {
    "januar": 1,
    "jänner": 1,
    "februar": 2,
    "märz": 3,
    "april": 4,
    "mai": 5,
    "juni": 6,
    "juli": 7,
    "august": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "dezember": 12,
}
EFFECTIVE = re.compile(
    r"\b(?:ab|zum|per|mit wirkung (?:zum|vom|ab)|beginnend (?:mit|ab|im)|"
    r"bis(?: zum| einschließlich)?)"
    r"\s+(?:dem\s+|den\s+|kommenden\s+|nächsten\s+)?"
    r"(?P<what>(?:\d{1,2}\.\s*)?(?:" + "|".join(MONTHS) + r")|\d{1,2}\.\d{1,2}\.(?:\d{2,4})?|"
    r"sommer|herbst|winter|frühjahr|frühling|jahresbeginn|jahresanfang|jahreswechsel|"
    r"neujahr|jahresende|(?:nächste[nms]?|kommende[nms]?|übernächste[nms]?) jahr|"
    r"übernächste[nms]? monat|quartal)",
    re.IGNORECASE,
)
VAGUE_DATE = re.compile(r"rückwirkend|übernächst", re.IGNORECASE)
FORM_CONTRACT_KEYS = ("vertragsnummer", "contract_number", "vertrag")
FORM_AMOUNT_KEYS = ("abschlag_neu", "neuer_abschlag", "new_installment", "abschlag")
