"""The platform-neutral ticket record every policy is evaluated against."""

from csi_rules.records.fields import FIELDS, RECORD_KINDS, FieldSpec, field_spec
from csi_rules.records.model import MISSING, Record, parse_record

__all__ = ["FIELDS", "MISSING", "RECORD_KINDS", "FieldSpec", "Record", "field_spec", "parse_record"]
