"""Conditions and timer values from models, interpreted against a whitelist.

Models come from other municipalities and tools, so their expressions are
untrusted. They are never passed to ``eval``: we parse them with :mod:`ast`,
accept only a small expression language (literals, task-data variables,
comparisons, boolean logic, arithmetic, a few pure functions) and interpret
the tree ourselves, with limits on sizes. There is no attribute access, no
import, no call of anything outside the whitelist — so there is nothing to
escape from.

Camunda-style JUEL conditions (``${approved}``, ``${!approved}``,
``${clarified == 'yes'}``) are translated into this language when they use
only these constructs; method calls in them are rejected like anything else.
Timer values may be bare ISO 8601 literals (``P14D``) as Camunda writes them,
or expressions evaluating to one.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

MAX_LENGTH = 2000  # characters of expression text
MAX_VALUE = 100_000  # longest string or list an expression may build
MAX_INT = 10**15

ISO_DURATION = re.compile(
    r"^P(?!$)(\d+(?:[.,]\d+)?Y)?(\d+(?:[.,]\d+)?M)?(\d+(?:[.,]\d+)?W)?(\d+(?:[.,]\d+)?D)?"
    r"(T(?=\d)(\d+(?:[.,]\d+)?H)?(\d+(?:[.,]\d+)?M)?(\d+(?:[.,]\d+)?S)?)?$",
    re.IGNORECASE,
)
ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$", re.IGNORECASE
)
ISO_CYCLE = re.compile(r"^R\d*/[^/\s]+(/[^/\s]+)?$", re.IGNORECASE)


class ExpressionError(Exception):
    """An expression is not allowed or cannot be evaluated; German, user-facing."""


def is_iso_literal(text: str) -> bool:
    value = text.strip()
    return bool(ISO_DURATION.match(value) or ISO_DATETIME.match(value) or ISO_CYCLE.match(value))


# --- JUEL ----------------------------------------------------------------

_JUEL_WRAPPED = re.compile(r"^\s*[$#]\{(.*)\}\s*$", re.DOTALL)
_STRING = re.compile(r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""")
_JUEL_WORDS = {
    "true": "True",
    "false": "False",
    "null": "None",
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "gt": ">",
    "le": "<=",
    "ge": ">=",
}


def translate_juel(text: str) -> str | None:
    """``${…}`` → our syntax, or None when ``text`` is not JUEL-wrapped."""
    match = _JUEL_WRAPPED.match(text)
    if match is None:
        return None
    parts = _STRING.split(match.group(1))
    out = []
    for index, part in enumerate(parts):
        if index % 2 == 1:  # a string literal: keep as is
            out.append(part)
            continue
        part = part.replace("&&", " and ").replace("||", " or ")
        part = re.sub(r"!(?!=)", " not ", part)
        part = re.sub(
            r"\b(" + "|".join(_JUEL_WORDS) + r")\b", lambda m: _JUEL_WORDS[m.group(1)], part
        )
        out.append(part)
    return "".join(out).strip()


# --- the language --------------------------------------------------------

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len,
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "abs": abs,
    "min": min,
    "max": max,
    "round": round,
}
_SYMBOLS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
}


def _describe(node: ast.AST) -> str:
    names = {
        ast.Attribute: "Attributzugriff („.“)",
        ast.Call: "Funktionsaufruf",
        ast.Lambda: "lambda",
        ast.Pow: "Potenz („**“)",
        ast.ListComp: "Listenausdruck",
        ast.DictComp: "Dictionary-Ausdruck",
        ast.SetComp: "Mengenausdruck",
        ast.GeneratorExp: "Generator",
        ast.NamedExpr: "Zuweisung („:=“)",
        ast.Starred: "„*“-Entpackung",
        ast.JoinedStr: "f-String",
        ast.Await: "await",
        ast.Yield: "yield",
    }
    return names.get(type(node), type(node).__name__)


def _check(node: ast.AST) -> None:
    """Reject every construct outside the whitelist, before anything is evaluated."""
    if isinstance(node, ast.Expression):
        _check(node.body)
    elif isinstance(node, ast.Constant):
        if not isinstance(node.value, str | int | float | bool | type(None)):
            raise ExpressionError(
                f"Konstante vom Typ {type(node.value).__name__} ist nicht erlaubt."
            )
    elif isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise ExpressionError(f"Der Name „{node.id}“ ist nicht erlaubt.")
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            _check(value)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.Not | ast.USub | ast.UAdd):
            raise ExpressionError("Dieser Operator ist nicht erlaubt.")
        _check(node.operand)
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise ExpressionError(f"{_describe(node.op)} ist nicht erlaubt.")
        _check(node.left)
        _check(node.right)
    elif isinstance(node, ast.Compare):
        if any(type(op) not in _COMPARE for op in node.ops):
            raise ExpressionError("Dieser Vergleich ist nicht erlaubt.")
        _check(node.left)
        for comparator in node.comparators:
            _check(comparator)
    elif isinstance(node, ast.IfExp):
        _check(node.test)
        _check(node.body)
        _check(node.orelse)
    elif isinstance(node, ast.List | ast.Tuple):
        for element in node.elts:
            _check(element)
    elif isinstance(node, ast.Subscript):
        if not isinstance(node.slice, ast.Constant) or not isinstance(node.slice.value, str | int):
            raise ExpressionError('Nur feste Schlüssel sind erlaubt, z. B. daten["feld"].')
        _check(node.value)
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            raise ExpressionError(
                "Funktionsaufrufe sind nur für " + ", ".join(sorted(FUNCTIONS)) + " erlaubt."
            )
        if node.keywords:
            raise ExpressionError("Benannte Argumente sind nicht erlaubt.")
        for arg in node.args:
            _check(arg)
    else:
        raise ExpressionError(f"{_describe(node)} ist in Ausdrücken nicht erlaubt.")


def _limit(value: Any) -> Any:
    if isinstance(value, str | list | tuple) and len(value) > MAX_VALUE:
        raise ExpressionError("Der Ausdruck erzeugt einen zu großen Wert.")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
        raise ExpressionError("Der Ausdruck erzeugt eine zu große Zahl.")
    return value


def _eval(node: ast.AST, data: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Expression):
        return _eval(node.body, data)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in data:
            return data[node.id]
        raise ExpressionError(f"Die Variable „{node.id}“ ist nicht gesetzt.")
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            result: Any = True
            for value in node.values:
                result = _eval(value, data)
                if not result:
                    return result
            return result
        result = False
        for value in node.values:
            result = _eval(value, data)
            if result:
                return result
        return result
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, data)
        if isinstance(node.op, ast.Not):
            return not operand
        try:
            return _limit(-operand if isinstance(node.op, ast.USub) else +operand)
        except TypeError as exc:
            raise ExpressionError(f"Ungültiger Operand: {exc}") from None
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, data), _eval(node.right, data)
        if isinstance(node.op, ast.Mult):
            # Repetition ("x" * n) is the one way to build something huge; bound it first.
            for seq, count in ((left, right), (right, left)):
                repeats = isinstance(seq, str | list | tuple) and isinstance(count, int)
                if repeats and len(seq) * max(count, 0) > MAX_VALUE:
                    raise ExpressionError("Der Ausdruck erzeugt einen zu großen Wert.")
        try:
            return _limit(_BINARY[type(node.op)](left, right))
        except (TypeError, ValueError, ZeroDivisionError, OverflowError) as exc:
            raise ExpressionError(
                f"„{_SYMBOLS.get(type(node.op), '?')}“ lässt sich nicht berechnen: {exc}"
            ) from None
    if isinstance(node, ast.Compare):
        left = _eval(node.left, data)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, data)
            try:
                if not _COMPARE[type(op)](left, right):
                    return False
            except TypeError as exc:
                raise ExpressionError(f"Vergleich nicht möglich: {exc}") from None
            left = right
        return True
    if isinstance(node, ast.IfExp):
        return _eval(node.body, data) if _eval(node.test, data) else _eval(node.orelse, data)
    if isinstance(node, ast.List):
        return [_eval(e, data) for e in node.elts]
    if isinstance(node, ast.Tuple):
        return tuple(_eval(e, data) for e in node.elts)
    if isinstance(node, ast.Subscript):
        container = _eval(node.value, data)
        key = node.slice.value  # type: ignore[attr-defined]  # checked: a constant
        try:
            return container[key]
        except (KeyError, IndexError, TypeError):
            raise ExpressionError(f"Kein Eintrag „{key}“.") from None
    if isinstance(node, ast.Call):
        function = FUNCTIONS[node.func.id]  # type: ignore[attr-defined]  # checked
        args = [_eval(a, data) for a in node.args]
        try:
            return _limit(function(*args))
        except (TypeError, ValueError, OverflowError) as exc:
            raise ExpressionError(f"{node.func.id}(…) ist fehlgeschlagen: {exc}") from None  # type: ignore[attr-defined]
    raise ExpressionError(f"{_describe(node)} ist in Ausdrücken nicht erlaubt.")


@dataclass(frozen=True)
class Expression:
    source: str
    tree: ast.Expression | None  # None: an ISO 8601 literal, returned as is
    literal: str = ""

    def evaluate(self, data: Mapping[str, Any]) -> Any:
        if self.tree is None:
            return self.literal
        return _eval(self.tree, data)


@lru_cache(maxsize=4096)
def compile_expression(text: str | None, *, timer: bool = False) -> Expression:
    """Parse and whitelist-check ``text``; raises :class:`ExpressionError`.

    Cached: the same model's expressions are compiled once per process.
    """
    source = (text or "").strip()
    if not source:
        raise ExpressionError("Der Ausdruck ist leer.")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"Der Ausdruck ist länger als {MAX_LENGTH} Zeichen.")
    if timer and is_iso_literal(source):
        return Expression(source, None, source)
    translated = translate_juel(source)
    code = translated if translated is not None else source
    if code.startswith("="):
        raise ExpressionError("FEEL-Ausdrücke (Camunda 8, „=…“) werden nicht unterstützt.")
    try:
        tree = ast.parse(code, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"Der Ausdruck „{source}“ ist nicht lesbar: {exc.msg}.") from None
    _check(tree)
    return Expression(source, tree)


def evaluate(text: str, data: Mapping[str, Any], *, timer: bool = False) -> Any:
    return compile_expression(text, timer=timer).evaluate(data)
