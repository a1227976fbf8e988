"""The standard request "Abschlag ändern" (katalog.yaml, rule ``abschlag``).

``language`` reads German text, ``analysis`` finds contract number, amounts and
intent, ``checks`` decides against the contract, ``handler`` acts on the case.
"""

RULE_NAME = "abschlag"
# Bump when the behaviour changes: the version appears in every case's history.
RULE_VERSION = 1
RULE_LABEL = f"Regel {RULE_NAME} v{RULE_VERSION}"
