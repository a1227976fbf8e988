"""The BPMN element vocabulary our checks and analysis share."""

from __future__ import annotations

ERROR = "error"
WARNING = "warning"

HUMAN = ("userTask", "manualTask", "task")
SERVICE = ("serviceTask", "sendTask")
GATEWAYS = ("exclusiveGateway", "parallelGateway", "inclusiveGateway")
CONDITIONAL_GATEWAYS = ("exclusiveGateway", "inclusiveGateway")
EVENTS = (
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
)
FLOW_NODES = (
    *HUMAN,
    *SERVICE,
    *GATEWAYS,
    *EVENTS,
    "subProcess",
    "scriptTask",
    "businessRuleTask",
    "receiveTask",
    "callActivity",
    "transaction",
    "adHocSubProcess",
    "complexGateway",
    "eventBasedGateway",
)
# Inside a process these only document (data, annotations, lanes) or are handled
# with their parent element.
DOCUMENTATION = {
    "sequenceFlow",
    "textAnnotation",
    "association",
    "group",
    "dataObject",
    "dataObjectReference",
    "dataStoreReference",
    "laneSet",
    "lane",
    "childLaneSet",
    "flowNodeRef",
    "documentation",
    "extensionElements",
    "ioSpecification",
    "property",
    "dataInputAssociation",
    "dataOutputAssociation",
    "incoming",
    "outgoing",
    "conditionExpression",
    "potentialOwner",
    "performer",
    "humanPerformer",
    "resourceAssignmentExpression",
    "resourceRef",
    "formalExpression",
    "text",
    "category",
    "categoryValue",
    "dataState",
    "sourceRef",
    "targetRef",
    "transformation",
    "assignment",
    "from",
    "to",
    "dataInput",
    "dataOutput",
    "inputSet",
    "outputSet",
    "dataInputRefs",
    "dataOutputRefs",
    "inputSetRefs",
    "outputSetRefs",
    "optionalInputRefs",
    "optionalOutputRefs",
    "whileExecutingInputRefs",
    "whileExecutingOutputRefs",
    "auditing",
    "monitoring",
    "resourceParameterBinding",
    "expression",
    "supportedInterfaceRef",
    "ioBinding",
    "correlationSubscription",
    "correlationPropertyBinding",
}
UNSUPPORTED_NODES = {
    "scriptTask": "Skriptaufgaben aus Prozessmodellen werden nie ausgeführt.",
    "businessRuleTask": "Geschäftsregel-Aufgaben (DMN) werden nicht unterstützt.",
    "receiveTask": "Empfangsaufgaben (Nachrichten) werden nicht unterstützt.",
    "callActivity": "Aufrufaktivitäten werden nicht unterstützt; bitte als eingebetteten "
    "Teilprozess modellieren.",
    "transaction": "Transaktionen werden nicht unterstützt.",
    "adHocSubProcess": "Ad-hoc-Teilprozesse werden nicht unterstützt.",
    "complexGateway": "Komplexe Gateways werden nicht unterstützt.",
    "eventBasedGateway": "Ereignisbasierte Gateways werden nicht unterstützt.",
}
EVENT_DEFINITIONS = {
    "timerEventDefinition": "Zeitereignis",
    "messageEventDefinition": "Nachrichtenereignis",
    "signalEventDefinition": "Signalereignis",
    "errorEventDefinition": "Fehlerereignis",
    "escalationEventDefinition": "Eskalationsereignis",
    "conditionalEventDefinition": "Bedingungsereignis",
    "linkEventDefinition": "Link-Ereignis",
    "compensateEventDefinition": "Kompensationsereignis",
    "cancelEventDefinition": "Abbruchereignis",
    "terminateEventDefinition": "Terminierungsereignis",
}
SUPPORTED_LANGUAGES = ("", "python", "juel", "text/x-python", "http://www.python.org/")
