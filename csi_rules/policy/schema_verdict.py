"""Whether a document is valid under its kind's schema, answered without jsonschema's machinery.

jsonschema builds a new validator object and a referencing resource for every subschema it
descends into, and resolves every `$ref` through its registry: validating the example
policies took ~25 ms, a tenth of `csi-rules validate`'s run. Nearly every document is valid,
and then nothing is reported, so this walk answers "valid?" first and jsonschema is asked for
the errors only when it says anything else.

The verdict is jsonschema's own: the keywords that only look at the instance (`type`, `enum`,
`pattern`, `required`, ...) are jsonschema's functions, called with the kind's validator; the
ones that descend (`properties`, `items`, `additionalProperties`, `$ref`, `allOf`, `anyOf`,
`oneOf`, `not`, `if`) are written out below as jsonschema's `_keywords` module has them. A
keyword outside that list, a `$ref` other than `#/$defs/NAME` or a nested `$id` makes the
answer "cannot tell" (jsonschema decides), never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from jsonschema import Draft202012Validator

_LEAVES = ("type", "enum", "const", "pattern", "format", "required", "dependentRequired",
           "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "minProperties",
           "maxProperties", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
           "multipleOf")
"""Keywords that never descend into a subschema: jsonschema's own function decides them."""
_MOVES_BASE = ("$id", "$anchor", "$dynamicAnchor")
_LOCAL_REF = re.compile(r"#/\$defs/([A-Za-z0-9_.-]+)")


class _CannotTell(Exception):
    pass


Check = Callable[[Any, Any, Mapping[str, Any]], bool]
"""(keyword value, instance, the schema holding it) -> does the instance pass it."""


class SchemaVerdict:
    """Answers for one kind's validator; what each subschema asks is worked out once."""

    def __init__(self, validator: Draft202012Validator):
        self.validator = validator
        self.root: Any = validator.schema
        self.is_type = validator.TYPE_CHECKER.is_type
        self.known = set(validator.VALIDATORS)
        self.plans: dict[int, list[tuple[Check, Any]] | None] = {}
        self.checks: dict[str, Check] = {
            "properties": self._properties, "additionalProperties": self._additional,
            "items": self._items, "$ref": self._ref, "allOf": self._all_of,
            "anyOf": self._any_of, "oneOf": self._one_of, "not": self._not, "if": self._if,
            # the most frequent leaves, spelled out as jsonschema has them (no generator)
            "type": self._type, "required": self._required, "minLength": self._min_length,
            "minItems": self._min_items, "minProperties": self._min_properties,
            "pattern": self._pattern,
        }
        for key in _LEAVES:
            if key in validator.VALIDATORS and key not in self.checks:
                self.checks[key] = self._leaf(validator.VALIDATORS[key])

    def certainly_valid(self, instance: Any) -> bool:
        """True when `validator.iter_errors(instance)` would yield nothing; False when it
        would yield an error or this walk cannot tell (then ask the validator)."""
        try:
            return self.valid(self.root, instance)
        except (_CannotTell, RecursionError):
            return False
        except Exception:  # a keyword failing on an odd instance: jsonschema says what it does
            return False

    def valid(self, schema: Any, instance: Any) -> bool:
        if schema is True:
            return True
        if schema is False:
            return False
        try:
            plan = self.plans[id(schema)]
        except KeyError:
            plan = self.plans[id(schema)] = self._plan(schema)
        if plan is None:
            raise _CannotTell
        return all(check(value, instance, schema) for check, value in plan)

    def _plan(self, schema: Any) -> list[tuple[Check, Any]] | None:
        """The checks of `schema`'s keywords, in its order; None when one is not spelled out
        here. Keywords jsonschema does not know (description, default, $defs) check nothing."""
        if not isinstance(schema, dict):
            return None
        plan = []
        for key, value in schema.items():
            check = self.checks.get(key)
            if check is not None:
                plan.append((check, value))
            elif key in self.known or (key in _MOVES_BASE and schema is not self.root):
                return None
        return plan

    def _leaf(self, keyword: Callable[..., Any]) -> Check:
        def check(value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
            return next(iter(keyword(self.validator, value, instance, schema) or ()), None) is None
        return check

    def _type(self, types: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        return any(self.is_type(instance, t) for t in ([types] if isinstance(types, str) else types))

    def _required(self, names: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        return not self.is_type(instance, "object") or all(n in instance for n in names)

    def _min_length(self, least: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        return not (self.is_type(instance, "string") and len(instance) < least)

    def _min_items(self, least: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        return not (self.is_type(instance, "array") and len(instance) < least)

    def _min_properties(self, least: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        return not (self.is_type(instance, "object") and len(instance) < least)

    def _pattern(self, pattern: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        return not (self.is_type(instance, "string") and not re.search(pattern, instance))

    def _properties(self, properties: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        if not self.is_type(instance, "object"):
            return True
        return all(self.valid(sub, instance[name]) for name, sub in properties.items()
                   if name in instance)

    def _additional(self, additional: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        if not self.is_type(instance, "object"):
            return True
        if "patternProperties" in schema:
            raise _CannotTell
        properties = schema.get("properties", {})
        extras = [name for name in instance if name not in properties]
        if self.is_type(additional, "object"):
            return all(self.valid(additional, instance[name]) for name in extras)
        return bool(additional) or not extras

    def _items(self, items: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        if not self.is_type(instance, "array"):
            return True
        if "prefixItems" in schema:
            raise _CannotTell
        return all(self.valid(items, each) for each in instance)

    def _ref(self, ref: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        found = _LOCAL_REF.fullmatch(ref) if isinstance(ref, str) else None
        defs = self.root.get("$defs")
        if found is None or not isinstance(defs, dict) or found[1] not in defs:
            raise _CannotTell
        return self.valid(defs[found[1]], instance)

    def _all_of(self, subs: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        return all(self.valid(sub, instance) for sub in subs)

    def _any_of(self, subs: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        return any(self.valid(sub, instance) for sub in subs)

    def _one_of(self, subs: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        return sum(1 for sub in subs if self.valid(sub, instance)) == 1

    def _not(self, sub: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        return not self.valid(sub, instance)

    def _if(self, condition: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        if self.valid(condition, instance):
            return "then" not in schema or self.valid(schema["then"], instance)
        return "else" not in schema or self.valid(schema["else"], instance)
