"""Whether a document is valid under its kind's schema, answered without jsonschema's machinery.

jsonschema builds a new validator object and a referencing resource for every subschema it
descends into, and resolves every `$ref` through its registry: validating the example
policies took ~25 ms, a tenth of `csi-rules validate`'s run. And importing it is ~0.1 s of
CPU, more than the rest of a short command's start-up. Nearly every document is valid, and
then nothing is reported, so this walk answers "valid?" first, from the schema alone, and
jsonschema is imported and asked for the errors only when it says anything else.

The verdict is jsonschema's own (Draft 2020-12, no format checker, as the validators this
package makes): the keywords that descend (`properties`, `items`, `additionalProperties`,
`$ref`, `allOf`, `anyOf`, `oneOf`, `not`, `if`) are written out below as jsonschema's
`_keywords` module has them, and so are the frequent leaves on the values they are met with
(`type` by jsonschema's Draft 2020-12 type checker, `enum` and `const` where text is compared,
`uniqueItems` on lists of text). Any other leaf, or one of those on other values, is
jsonschema's own function, called with the kind's validator (made then). A keyword outside
that list, a `$ref` other than `#/$defs/NAME` or a nested `$id` makes the answer "cannot
tell" (jsonschema decides), never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from numbers import Number
from typing import Any

KEYWORDS = frozenset({
    "$dynamicRef", "$ref", "additionalProperties", "allOf", "anyOf", "const", "contains",
    "dependentRequired", "dependentSchemas", "enum", "exclusiveMaximum", "exclusiveMinimum",
    "format", "if", "items", "maxItems", "maxLength", "maxProperties", "maximum", "minItems",
    "minLength", "minProperties", "minimum", "multipleOf", "not", "oneOf", "pattern",
    "patternProperties", "prefixItems", "properties", "propertyNames", "required", "type",
    "unevaluatedItems", "unevaluatedProperties", "uniqueItems"})
"""The keywords Draft 2020-12 validates with (`Draft202012Validator.VALIDATORS`; a test holds
the two equal): any other key (description, default, $defs, title) checks nothing."""
_LEAVES = ("dependentRequired", "multipleOf")
"""Leaf keywords always left to jsonschema's own function."""
_MOVES_BASE = ("$id", "$anchor", "$dynamicAnchor")
_LOCAL_REF = re.compile(r"#/\$defs/([A-Za-z0-9_.-]+)")


def _is_integer(instance: Any) -> bool:
    if isinstance(instance, bool):
        return False
    return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())


_TYPES: dict[str, Callable[[Any], bool]] = {
    "array": lambda instance: isinstance(instance, list),
    "boolean": lambda instance: isinstance(instance, bool),
    "integer": _is_integer,
    "null": lambda instance: instance is None,
    "number": lambda instance: not isinstance(instance, bool) and isinstance(instance, Number),
    "object": lambda instance: isinstance(instance, dict),
    "string": lambda instance: isinstance(instance, str),
}
"""jsonschema's Draft 2020-12 type checker (jsonschema/_types.py), type by type; an unknown
type name raises (KeyError), and then jsonschema decides, as it raises for one too."""


def is_type(instance: Any, name: str) -> bool:
    return _TYPES[name](instance)


class _CannotTell(Exception):
    pass


Check = Callable[[Any, Any, Mapping[str, Any]], bool]
"""(keyword value, instance, the schema holding it) -> does the instance pass it."""


class SchemaVerdict:
    """Answers for one schema; what each subschema asks is worked out once. `validator`
    makes jsonschema's validator for the schema (a Draft202012Validator without a format
    checker) when a leaf needs its function: only then is jsonschema imported."""

    def __init__(self, schema: Any, validator: Callable[[], Any] | None = None):
        self.root: Any = schema
        self._make_validator = validator or (lambda: _draft_2020_12(schema))
        self._validator: Any = None
        self.is_type = is_type
        self.plans: dict[int, list[tuple[Check, Any]] | None] = {}
        self.checks: dict[str, Check] = {
            "properties": self._properties, "additionalProperties": self._additional,
            "items": self._items, "$ref": self._ref, "allOf": self._all_of,
            "anyOf": self._any_of, "oneOf": self._one_of, "not": self._not, "if": self._if,
            "type": self._type, "required": self._required, "minLength": self._min_length,
            "maxLength": self._max_length, "minItems": self._min_items,
            "maxItems": self._max_items, "minProperties": self._min_properties,
            "maxProperties": self._max_properties, "pattern": self._pattern,
            "minimum": self._minimum, "maximum": self._maximum,
            "exclusiveMinimum": self._exclusive_minimum,
            "exclusiveMaximum": self._exclusive_maximum, "enum": self._enum,
            "const": self._const, "uniqueItems": self._unique_items,
            "format": self._format,
        }
        for key in _LEAVES:
            self.checks[key] = self._leaf(key)

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
            elif key in KEYWORDS or (key in _MOVES_BASE and schema is not self.root):
                return None
        return plan

    def _leaf(self, key: str) -> Check:
        """jsonschema's own function for keyword `key`, with the validator (made now)."""
        def check(value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
            validator = self.validator()
            keyword = validator.VALIDATORS[key]
            return next(iter(keyword(validator, value, instance, schema) or ()), None) is None
        return check

    def errors(self, instance: Any) -> Iterator[Any]:
        """jsonschema's errors for `instance`: none without asking it when this walk calls the
        document valid (the usual case), else the validator's `iter_errors`."""
        if self.certainly_valid(instance):
            return iter(())
        return iter(self.validator().iter_errors(instance))

    def validator(self) -> Any:
        if self._validator is None:
            self._validator = self._make_validator()
        return self._validator

    def _type(self, types: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        return any(self.is_type(instance, t) for t in ([types] if isinstance(types, str) else types))

    def _required(self, names: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        return not self.is_type(instance, "object") or all(n in instance for n in names)

    def _min_length(self, least: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        return not (self.is_type(instance, "string") and len(instance) < least)

    def _max_length(self, most: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        return not (self.is_type(instance, "string") and len(instance) > most)

    def _min_items(self, least: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        return not (self.is_type(instance, "array") and len(instance) < least)

    def _max_items(self, most: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        return not (self.is_type(instance, "array") and len(instance) > most)

    def _min_properties(self, least: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        return not (self.is_type(instance, "object") and len(instance) < least)

    def _max_properties(self, most: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        return not (self.is_type(instance, "object") and len(instance) > most)

    def _pattern(self, pattern: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        return not (self.is_type(instance, "string") and not re.search(pattern, instance))

    def _minimum(self, least: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        return not (self.is_type(instance, "number") and instance < least)

    def _maximum(self, most: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        return not (self.is_type(instance, "number") and instance > most)

    def _exclusive_minimum(self, least: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        return not (self.is_type(instance, "number") and instance <= least)

    def _exclusive_maximum(self, most: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        return not (self.is_type(instance, "number") and instance >= most)

    def _enum(self, values: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        # jsonschema's equal() compares text (on either side) with ==: `in` does that
        if isinstance(instance, str) and isinstance(values, list):
            return instance in values
        return self._leaf("enum")(values, instance, schema)

    def _const(self, value: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        if isinstance(instance, str) or isinstance(value, str):
            return instance is value or instance == value
        return self._leaf("const")(value, instance, schema)

    def _unique_items(self, unique: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        if not unique or not self.is_type(instance, "array"):
            return True
        if all(type(item) is str for item in instance):  # uniq() sorts text and compares it
            return len(set(instance)) == len(instance)
        return self._leaf("uniqueItems")(unique, instance, schema)

    def _format(self, name: Any, instance: Any, schema: Mapping[str, Any]) -> bool:
        return True  # an annotation: the validators made here have no format checker

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


def _draft_2020_12(schema: Any) -> Any:
    from jsonschema import Draft202012Validator  # only for a document this walk cannot clear

    return Draft202012Validator(schema)
