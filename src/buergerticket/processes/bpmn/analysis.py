"""What a BPMN document contains, for the process register (no judgement)."""

from __future__ import annotations

from typing import Any

from lxml import etree

from . import BPMN_NS, BPMNDI_NS, local_name, namespace, q
from .extensions import element_name, lanes_by_node, read_assignment, read_handler, read_sign_off
from .vocabulary import FLOW_NODES, HUMAN, SERVICE


def analyse(root: etree._Element, directory: Any | None) -> dict[str, Any]:
    """Processes, participants, lanes, user and service tasks, timers of every process.

    Documentation for the register: what the model contains, whether or not it runs.
    ``directory`` (optional) says what lanes and groups mean in this organisation.
    """
    node_lanes = lanes_by_node(root)
    processes = root.findall(q("process"))
    participants = [
        {"id": p.get("id", ""), "name": element_name(p), "process": p.get("processRef", "")}
        for p in root.iter(q("participant"))
    ]
    lanes = []
    for process in processes:
        for lane in process.iter(q("lane")):
            name = element_name(lane)
            target = directory.map_group(name) if directory and name else None
            lanes.append(
                {
                    "id": lane.get("id", ""),
                    "name": name,
                    "process": process.get("id", ""),
                    "maps_to": target.label() if target else "",
                }
            )
    user_tasks, service_tasks, timers = [], [], []
    for process in processes:
        for element in process.iter():
            tag = local_name(element.tag)
            if namespace(element.tag) != BPMN_NS:
                continue
            if tag in HUMAN:
                assignment = read_assignment(element, node_lanes.get(element.get("id", "")))
                sign_off, _ = read_sign_off(element)
                mapped = (
                    [
                        t.label()
                        for t in (
                            *(directory.map_group(g) for g in assignment.groups),
                            *(directory.map_user(u) for u in assignment.users),
                        )
                        if t is not None
                    ]
                    if directory
                    else []
                )
                user_tasks.append(
                    {
                        "id": element.get("id", ""),
                        "name": element_name(element),
                        "type": tag,
                        "process": process.get("id", ""),
                        "lane": node_lanes.get(element.get("id", ""), ""),
                        "groups": list(assignment.groups),
                        "users": list(assignment.users),
                        "source": assignment.source,
                        "sign_off": sign_off,
                        "maps_to": ", ".join(mapped),
                    }
                )
            elif tag in SERVICE:
                handler = read_handler(element)
                service_tasks.append(
                    {
                        "id": element.get("id", ""),
                        "name": element_name(element),
                        "type": tag,
                        "handler": handler.name,
                        "params": handler.params,
                    }
                )
            elif tag == "timerEventDefinition":
                event = element.getparent()
                value = next(
                    (
                        (local_name(c.tag), (c.text or "").strip())
                        for c in element
                        if isinstance(c.tag, str)
                    ),
                    ("", ""),
                )
                timers.append(
                    {
                        "id": event.get("id", "") if event is not None else "",
                        "name": element_name(event) if event is not None else "",
                        "type": local_name(event.tag) if event is not None else "",
                        "kind": value[0],
                        "value": value[1],
                    }
                )
    return {
        "processes": [
            {
                "id": p.get("id", ""),
                "name": element_name(p),
                "is_executable": p.get("isExecutable"),
                "flow_nodes": sum(
                    1
                    for e in p.iter()
                    if local_name(e.tag) in FLOW_NODES and namespace(e.tag) == BPMN_NS
                ),
            }
            for p in processes
        ],
        "participants": participants,
        "lanes": lanes,
        "user_tasks": user_tasks,
        "service_tasks": service_tasks,
        "timers": timers,
        "has_diagram": root.find(f"{{{BPMNDI_NS}}}BPMNDiagram") is not None,
        "elements": sum(1 for e in root.iter() if isinstance(e.tag, str)),
    }
