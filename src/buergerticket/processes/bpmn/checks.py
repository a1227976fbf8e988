"""What a model contains and what keeps it from running here.

:func:`inspect` never raises for a parsed BPMN document: every unsupported or
invalid element becomes a :class:`Finding` with its id, type and name. A model
is *ausführbar* when there is no finding of severity ``error``; warnings
(e.g. a lane that maps to no role) inform without blocking.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from . import BPMN_NS, local_name, namespace, q
from .analysis import analyse
from .expressions import ExpressionError, compile_expression
from .extensions import (
    SIGN_OFF_KINDS,
    element_name,
    lanes_by_node,
    read_assignment,
    read_form,
    read_handler,
    read_sign_off,
    script_like,
)
from .findings import Directory, Finding, Inspection
from .vocabulary import (
    CONDITIONAL_GATEWAYS,
    DOCUMENTATION,
    ERROR,
    EVENT_DEFINITIONS,
    EVENTS,
    FLOW_NODES,
    GATEWAYS,
    HUMAN,
    SERVICE,
    SUPPORTED_LANGUAGES,
    UNSUPPORTED_NODES,
    WARNING,
)


def _walk(process: etree._Element) -> Iterable[etree._Element]:
    """The process's elements, without the process itself and without the
    contents of extension elements (which belong to other tools)."""
    stack = [c for c in reversed(process) if isinstance(c.tag, str)]
    while stack:
        element = stack.pop()
        yield element
        if local_name(element.tag) != "extensionElements":
            stack.extend(c for c in reversed(element) if isinstance(c.tag, str))


class _Checker:
    def __init__(
        self, root: etree._Element, directory: Directory | None, handler_names: Iterable[str] | None
    ):
        self.root = root
        self.directory = directory
        self.handlers = set(handler_names) if handler_names is not None else None
        self.findings: list[Finding] = []
        self.lanes = lanes_by_node(root)

    def add(self, severity: str, element: etree._Element, message: str) -> None:
        tag = local_name(element.tag)
        ns = namespace(element.tag)
        self.findings.append(
            Finding(
                severity,
                element.get("id", ""),
                tag if ns == BPMN_NS else f"{{{ns}}}{tag}",
                element_name(element),
                message,
            )
        )

    # --- which process runs ---------------------------------------------------

    def choose_process(self) -> etree._Element | None:
        processes = self.root.findall(q("process"))
        with_nodes = [
            p
            for p in processes
            if p.find(q("startEvent")) is not None
            or any(p.iter(*(q(n) for n in (*HUMAN, *SERVICE))))
        ]
        if not with_nodes:
            if processes:
                self.add(ERROR, processes[0], "Der Prozess enthält kein Startereignis.")
            else:
                self.add(ERROR, self.root, "Das Modell enthält keinen Prozess.")
            return None
        runnable = [p for p in with_nodes if p.get("isExecutable", "true") != "false"]
        if not runnable:
            for process in with_nodes:
                self.add(
                    ERROR,
                    process,
                    "Der Prozess ist im Modell als nicht ausführbar "
                    'markiert (isExecutable="false").',
                )
            return with_nodes[0]
        if len(runnable) > 1:
            ids = ", ".join(p.get("id", "") for p in runnable)
            for process in runnable[1:]:
                self.add(
                    ERROR,
                    process,
                    f"Mehrere ausführbare Prozesse ({ids}); ein Vorgang "
                    "folgt genau einem Prozess. Markieren Sie die übrigen als nicht "
                    "ausführbar.",
                )
        return runnable[0]

    # --- element checks -------------------------------------------------------

    def check_process(self, process: etree._Element) -> None:
        starts = process.findall(q("startEvent"))
        if len(starts) != 1:
            self.add(
                ERROR,
                process,
                f"Ein ausführbarer Prozess braucht genau ein "
                f"Startereignis (gefunden: {len(starts)}).",
            )
        for element in _walk(process):
            for what in script_like(element):
                self.add(
                    ERROR, element, f"{what}: Skripte aus Prozessmodellen werden nie ausgeführt."
                )
            if namespace(element.tag) != BPMN_NS:
                continue
            tag = local_name(element.tag)
            if tag in UNSUPPORTED_NODES:
                self.add(ERROR, element, UNSUPPORTED_NODES[tag])
            elif tag in HUMAN:
                self.check_human(element)
            elif tag in SERVICE:
                self.check_service(element)
            elif tag in EVENTS:
                self.check_event(element)
            elif tag == "subProcess":
                if element.get("triggeredByEvent") == "true":
                    self.add(ERROR, element, "Ereignis-Teilprozesse werden nicht unterstützt.")
                elif element.find(q("startEvent")) is None:
                    self.add(ERROR, element, "Der Teilprozess hat kein Startereignis.")
            elif tag == "sequenceFlow":
                self.check_flow(element)
            elif tag in ("multiInstanceLoopCharacteristics", "standardLoopCharacteristics"):
                parent = element.getparent()
                self.add(
                    ERROR,
                    parent if parent is not None else element,
                    "Schleifen und Mehrfachinstanzen werden nicht unterstützt.",
                )
            elif tag in GATEWAYS:
                self.check_gateway(element, process)
            elif tag not in DOCUMENTATION and tag not in FLOW_NODES:
                if tag.endswith("EventDefinition") or tag in (
                    "timeDuration",
                    "timeDate",
                    "timeCycle",
                    "condition",
                ):
                    continue
                self.add(WARNING, element, f"Das Element „{tag}“ wird nur dokumentiert.")
            splits = tag in FLOW_NODES and tag not in GATEWAYS and tag != "boundaryEvent"
            if splits and len(self._outgoing(process, element)) > 1:
                self.add(
                    ERROR,
                    element,
                    "Mehrere ausgehende Sequenzflüsse an einer "
                    "Aktivität oder einem Ereignis; bitte ein Gateway verwenden.",
                )

    _outgoing_cache: dict[int, dict[str, list[etree._Element]]]

    def _outgoing(self, process: etree._Element, element: etree._Element) -> list[etree._Element]:
        """Sequence flows leaving ``element`` (indexed once per process)."""
        if not hasattr(self, "_outgoing_cache"):
            self._outgoing_cache = {}
        index = self._outgoing_cache.get(id(process))
        if index is None:
            index = {}
            for flow in process.iter(q("sequenceFlow")):
                index.setdefault(flow.get("sourceRef", ""), []).append(flow)
            self._outgoing_cache[id(process)] = index
        return index.get(element.get("id", ""), [])

    def check_human(self, element: etree._Element) -> None:
        lane = self.lanes.get(element.get("id", ""))
        assignment = read_assignment(element, lane)
        for value in assignment.unsupported:
            self.add(
                ERROR,
                element,
                f"Dynamische Zuweisung „{value}“ wird nicht unterstützt; "
                "bitte eine Rolle oder einen Fachbereich angeben.",
            )
        if self.directory is not None:
            for group in assignment.groups:
                if self.directory.map_group(group) is None:
                    if assignment.source == "Bahn":
                        self.add(
                            WARNING,
                            element,
                            f"Die Bahn „{group}“ entspricht keiner Rolle "
                            "und keinem Fachbereich; die Aufgabe geht an die zuständige "
                            "Person des Vorgangs.",
                        )
                    else:
                        self.add(
                            ERROR, element, f"Rolle oder Fachbereich „{group}“ gibt es hier nicht."
                        )
            for user in assignment.users:
                if self.directory.map_user(user) is None:
                    self.add(ERROR, element, f"Mitarbeiter:in „{user}“ gibt es hier nicht.")
        _fields, problems = read_form(element)
        for problem in problems:
            self.add(ERROR, element, problem)
        sign_off, _template = read_sign_off(element)
        if sign_off and sign_off not in SIGN_OFF_KINDS:
            self.add(
                ERROR,
                element,
                f"Unbekannte Zeichnungsart „{sign_off}“ (erlaubt: "
                + ", ".join(SIGN_OFF_KINDS)
                + ").",
            )

    def check_service(self, element: etree._Element) -> None:
        handler = read_handler(element)
        if handler.unsupported:
            self.add(ERROR, element, f"Nicht unterstützte Implementierung: {handler.unsupported}.")
        if not handler.name:
            if not handler.unsupported:
                self.add(
                    ERROR,
                    element,
                    "Die Serviceaufgabe nennt keinen Handler "
                    "(bt:handler, camunda:topic oder zeebe:taskDefinition).",
                )
        elif self.handlers is not None and handler.name not in self.handlers:
            known = ", ".join(sorted(self.handlers)) or "keine"
            self.add(
                ERROR,
                element,
                f"Der Handler „{handler.name}“ ist nicht registriert (vorhanden: {known}).",
            )
        sign_off, _ = read_sign_off(element)
        if sign_off:
            self.add(
                ERROR, element, "Zeichnungen (bt:signOff) sind nur an Benutzeraufgaben möglich."
            )

    def check_event(self, element: etree._Element) -> None:
        tag = local_name(element.tag)
        definitions = [
            c
            for c in element
            if isinstance(c.tag, str) and local_name(c.tag).endswith("EventDefinition")
        ]
        kinds = [local_name(d.tag) for d in definitions]
        if element.get("eventDefinitionRef") or len(definitions) > 1:
            self.add(
                ERROR,
                element,
                "Mehrfach- oder referenzierte Ereignisdefinitionen werden nicht unterstützt.",
            )
            return
        kind = kinds[0] if kinds else ""
        label = EVENT_DEFINITIONS.get(kind, kind)
        if tag == "startEvent":
            if kind == "messageEventDefinition":
                self.add(
                    WARNING,
                    element,
                    "Das Nachrichten-Startereignis wird als Eingang des Vorgangs gedeutet.",
                )
            elif kind:
                self.add(
                    ERROR,
                    element,
                    f"Ein Prozess beginnt mit dem Eingang des Vorgangs; "
                    f"{label} als Start wird nicht unterstützt.",
                )
        elif tag == "endEvent" and kind not in ("", "terminateEventDefinition"):
            self.add(ERROR, element, f"{label} als Ende wird nicht unterstützt.")
        elif tag == "intermediateThrowEvent" and kind:
            self.add(ERROR, element, f"{label} (auslösend) wird nicht unterstützt.")
        elif tag in ("intermediateCatchEvent", "boundaryEvent") and kind != "timerEventDefinition":
            self.add(
                ERROR,
                element,
                f"{label or 'Ereignis ohne Definition'} wird nicht unterstützt; "
                "nur Zeitereignisse.",
            )
        if kind == "timerEventDefinition":
            self.check_timer(element, definitions[0])

    def check_timer(self, element: etree._Element, definition: etree._Element) -> None:
        values = [
            c
            for c in definition
            if isinstance(c.tag, str)
            and local_name(c.tag) in ("timeDuration", "timeDate", "timeCycle")
        ]
        text = (values[0].text or "").strip() if values else ""
        if not text:
            self.add(
                ERROR,
                element,
                "Das Zeitereignis hat keinen Zeitwert (timeDuration, timeDate oder timeCycle).",
            )
            return
        try:
            compile_expression(text, timer=True)
        except ExpressionError as exc:
            self.add(ERROR, element, f"Zeitwert „{text}“: {exc}")

    def check_flow(self, flow: etree._Element) -> None:
        condition = flow.find(q("conditionExpression"))
        if condition is None:
            return
        text = (condition.text or "").strip()
        language = (condition.get("language") or "").strip().lower()
        if not text:
            self.add(ERROR, flow, "Die Bedingung des Sequenzflusses ist leer.")
            return
        juel = text.startswith(("${", "#{"))
        if language not in SUPPORTED_LANGUAGES and not juel:
            self.add(
                ERROR, flow, f"Bedingungen in der Sprache {language} werden nicht unterstützt."
            )
            return
        try:
            compile_expression(text)
        except ExpressionError as exc:
            self.add(ERROR, flow, f"Bedingung „{text}“: {exc}")

    def check_gateway(self, gateway: etree._Element, process: etree._Element) -> None:
        tag = local_name(gateway.tag)
        outgoing = self._outgoing(process, gateway)
        if tag in CONDITIONAL_GATEWAYS and len(outgoing) > 1:
            default = gateway.get("default")
            for flow in outgoing:
                if flow.get("id") != default and flow.find(q("conditionExpression")) is None:
                    self.add(
                        ERROR,
                        flow,
                        "Ein Sequenzfluss aus einem verzweigenden Gateway "
                        "braucht eine Bedingung oder muss der Standardfluss sein.",
                    )

    def check_spiff(self, process: etree._Element) -> None:
        from .spiff import build

        try:
            build(self.root, process.get("id", ""))
        except Exception as exc:  # Spiff's ValidationException and anything else it raises
            element_id = getattr(exc, "id", "") or process.get("id", "")
            tag = getattr(exc, "tag", "") or "process"
            message = str(exc).split("\n")[0]
            self.findings.append(
                Finding(
                    ERROR,
                    element_id,
                    tag.replace("bpmn:", ""),
                    getattr(exc, "name", ""),
                    f"Die Prozess-Engine kann das Modell nicht übernehmen: {message}",
                )
            )


def inspect(
    root: etree._Element,
    directory: Directory | None = None,
    handler_names: Iterable[str] | None = None,
) -> Inspection:
    """Analyse ``root`` and check the process that would run for a case."""
    checker = _Checker(root, directory, handler_names)
    analysis = analyse(root, directory)
    process = checker.choose_process()
    process_id = process.get("id", "") if process is not None else ""
    if process is not None:
        checker.check_process(process)
        if not any(f.severity == ERROR for f in checker.findings):
            # Our checks passed; the engine's own parser has the last word.
            checker.check_spiff(process)
    inspection = Inspection(process_id=process_id, findings=checker.findings, analysis=analysis)
    return inspection


__all__ = ["ERROR", "WARNING", "Directory", "Finding", "Inspection", "inspect"]
