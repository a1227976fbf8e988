"""Building SpiffWorkflow specs from stored models, safely, and caching them.

Our parser differs from Spiff's default in what it will run:

- service and send tasks become :class:`HandlerTask` — Spiff's engine never
  runs them; the process runner calls the registered handler itself, outside
  Spiff (so a failing handler keeps its real error instead of Spiff's
  ``NameError: name 'script' is not defined`` and leaves the task retryable);
- script tasks become :class:`RefusedScriptTask`, which refuses to run
  (the executability check keeps such models from being published anyway);
- the script engine interprets conditions and timer values with the
  whitelist language of :mod:`.expressions` and never executes scripts;
- data objects, data stores and I/O specifications are documentation only and
  are removed from the copy of the tree Spiff sees.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.specs.defaults import ManualTask, NoneTask, ServiceTask, UserTask
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.bpmn_spec_mixin import BpmnSpecMixin

from . import BPMN_NS, q
from .expressions import ExpressionError, compile_expression
from .extensions import (
    Assignment,
    FormField,
    Handler,
    lanes_by_node,
    read_assignment,
    read_form,
    read_handler,
    read_sign_off,
)

# Elements that only document data; execution works on task data alone.
DATA_ELEMENTS = (
    "ioSpecification",
    "dataInputAssociation",
    "dataOutputAssociation",
    "dataObject",
    "dataObjectReference",
    "dataStoreReference",
    "dataStore",
    "property",
)


class HandlerTask(ServiceTask):
    """A service/send task; run by the process runner through the handler registry."""

    def __init__(self, wf_spec: Any, bpmn_id: str, **kwargs: Any):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        # Spiff's engine steps skip manual tasks: the runner decides when handlers run.
        self.manual = True

    def _run_hook(self, my_task: Any) -> bool:
        return True


class RefusedScriptTask(BpmnSpecMixin):
    """Script tasks from models never run (a restricted-Python sandbox has known escapes)."""

    def _run_hook(self, my_task: Any) -> bool:
        raise WorkflowTaskException(
            "Skriptaufgaben aus Prozessmodellen werden nicht ausgeführt.", task=my_task
        )


@dataclass(frozen=True)
class HumanTaskInfo:
    assignment: Assignment
    form: tuple[FormField, ...]
    sign_off: str
    template: str
    lane: str | None
    documentation: str


class HumanTaskParser(TaskParser):
    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        element = node if node is not None else self.node
        lane = lanes_by_node(element.getroottree().getroot()).get(element.get("id", ""))
        form, _problems = read_form(element)
        sign_off, template = read_sign_off(element)
        doc = element.findtext(q("documentation")) or ""
        return {
            "human": HumanTaskInfo(
                read_assignment(element, lane), tuple(form), sign_off, template, lane, doc.strip()
            )
        }


class HandlerTaskParser(TaskParser):
    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        return {"handler": read_handler(node if node is not None else self.node)}


class _NoStore:
    """Data stores are documentation: reading yields nothing, writing keeps nothing."""

    def __init__(self, bpmn_id: str, name: str, capacity: Any = None, is_unlimited: Any = None):
        self.bpmn_id, self.bpmn_name = bpmn_id, name

    def get(self, my_task: Any) -> None:
        return None

    def set(self, my_task: Any) -> None:
        return None


class _AnyStore(dict[str, type]):
    def __contains__(self, key: object) -> bool:
        return True

    def __getitem__(self, key: Any) -> type[_NoStore]:
        return _NoStore


class ProcessParser(BpmnParser):
    OVERRIDE_PARSER_CLASSES = {
        q("userTask"): (HumanTaskParser, UserTask),
        q("manualTask"): (HumanTaskParser, ManualTask),
        q("task"): (HumanTaskParser, NoneTask),
        q("serviceTask"): (HandlerTaskParser, HandlerTask),
        q("sendTask"): (HandlerTaskParser, HandlerTask),
        q("scriptTask"): (TaskParser, RefusedScriptTask),
    }
    DATA_STORE_CLASSES = _AnyStore()


class _NoScripts(BasePythonScriptEngineEnvironment):
    def evaluate(self, expression: str, context: Any, external_context: Any = None) -> Any:
        return compile_expression(expression).evaluate(context)

    def execute(self, script: str, context: Any, external_context: Any = None) -> bool:
        raise ExpressionError("Skripte aus Prozessmodellen werden nicht ausgeführt.")

    def call_service(self, context: Any, **kwargs: Any) -> Any:
        raise ExpressionError("Dienste werden nur über registrierte Handler aufgerufen.")


class GuardedScriptEngine(PythonScriptEngine):
    """Conditions and timer values through the whitelist interpreter; no scripts."""

    def __init__(self) -> None:
        super().__init__(environment=_NoScripts())

    def validate(self, expression: str) -> None:
        compile_expression(expression)

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        definition = getattr(task.task_spec, "event_definition", None)
        timer = isinstance(definition, TimerEventDefinition)
        try:
            return compile_expression(expression, timer=timer).evaluate(task.data)
        except ExpressionError as exc:
            raise WorkflowTaskException(str(exc), task=task, exception=exc) from None

    def execute(self, task: Any, script: str, external_context: Any = None) -> bool:
        raise WorkflowTaskException(
            "Skripte aus Prozessmodellen werden nicht ausgeführt.", task=task
        )

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        raise WorkflowTaskException(
            "Dienste werden nur über registrierte Handler aufgerufen.", task=task
        )


SCRIPT_ENGINE = GuardedScriptEngine()


def execution_tree(root: etree._Element) -> etree._Element:
    """A copy of the document as Spiff should see it (data elements removed,
    message start events read as the case's intake)."""
    tree = copy.deepcopy(root)
    for process in tree.iter(q("process")):
        for name in DATA_ELEMENTS:
            for element in list(process.iter(q(name))):
                parent = element.getparent()
                if parent is not None:
                    parent.remove(element)
        for start in process.iter(q("startEvent")):
            for definition in list(start.findall(q("messageEventDefinition"))):
                start.remove(definition)
    return tree


@dataclass(frozen=True)
class BuiltSpec:
    spec: Any
    subprocess_specs: dict[str, Any]
    process_id: str


def build(root: etree._Element, process_id: str) -> BuiltSpec:
    """Parse ``process_id`` of the document into a Spiff spec (raises Spiff's
    ``ValidationException`` for what it cannot build)."""
    parser = ProcessParser()
    parser.add_bpmn_xml(execution_tree(root), filename=process_id)
    spec = parser.get_spec(process_id)
    return BuiltSpec(spec, parser.get_subprocess_specs(process_id), process_id)


_cache: OrderedDict[tuple[Any, ...], BuiltSpec] = OrderedDict()
_cache_lock = threading.Lock()
CACHE_SIZE = 128


def cached_spec(key: tuple[Any, ...], xml: Callable[[], str], process_id: str) -> BuiltSpec:
    """The spec for a stored model version, parsed once per process.

    ``key`` must change whenever the XML could (we use version id and checksum);
    ``xml`` is only called on a cache miss, so callers need not load the document.
    """
    with _cache_lock:
        built = _cache.get(key)
        if built is not None:
            _cache.move_to_end(key)
            return built
    from .xmlio import parse

    built = build(parse(xml()), process_id)
    with _cache_lock:
        _cache[key] = built
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return built


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


__all__ = [
    "BPMN_NS",
    "SCRIPT_ENGINE",
    "BuiltSpec",
    "Handler",
    "HandlerTask",
    "HumanTaskInfo",
    "RefusedScriptTask",
    "build",
    "cached_spec",
    "clear_cache",
]
