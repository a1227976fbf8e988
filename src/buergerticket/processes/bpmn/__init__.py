"""Reading BPMN 2.0 files: decoding, analysis, executability checks, execution specs.

Everything here works on files from other tools and municipalities, i.e. on
untrusted input: XML is parsed without DTDs or entities, nothing in a model is
ever executed as code (scripts never run, expressions are interpreted against
a whitelist), and every problem becomes a finding with element id and type
instead of an exception.
"""

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
# Our own extension attributes (sign-off, handlers, decision templates).
BT_NS = "urn:buergerticket:bpmn:1.0"
# Engines whose assignment and implementation attributes we understand. Tools
# bind these URIs to arbitrary prefixes (one MIWG file binds "camunda" to the
# Activiti URI), so they are matched by URI, never by prefix.
CAMUNDA_NS = (
    "http://camunda.org/schema/1.0/bpmn",
    "http://activiti.org/bpmn",
    "http://flowable.org/bpmn",
)
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"

NSMAP = {"bpmn": BPMN_NS, "bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS}


def q(local: str, ns: str = BPMN_NS) -> str:
    """Clark notation ``{ns}local`` for lxml."""
    return f"{{{ns}}}{local}"


def local_name(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def namespace(tag: object) -> str:
    return tag[1:].partition("}")[0] if isinstance(tag, str) and tag.startswith("{") else ""
