"""Registers the core policy kinds."""

from __future__ import annotations

from csi_rules import hookimpl
from csi_rules.policy.kinds.base import PolicyKind
from csi_rules.policy.kinds.cab_routing import CabRoutingPolicy
from csi_rules.policy.kinds.calendar import CalendarKind
from csi_rules.policy.kinds.conflict import ConflictPolicy
from csi_rules.policy.kinds.correlation import CorrelationPolicy
from csi_rules.policy.kinds.escalation import EscalationPolicy
from csi_rules.policy.kinds.gate import GatePolicy
from csi_rules.policy.kinds.kpi import KpiPolicy
from csi_rules.policy.kinds.oncall import OnCallRotaKind
from csi_rules.policy.kinds.routing import RoutingPolicy
from csi_rules.policy.kinds.sla import SlaPolicy
from csi_rules.registry import Registry


@hookimpl
def csi_register_policy_kinds(register: Registry[PolicyKind]) -> None:
    for kind in (RoutingPolicy(), CalendarKind(), SlaPolicy(), EscalationPolicy(),
                 CabRoutingPolicy(), GatePolicy(), ConflictPolicy(), KpiPolicy(),
                 CorrelationPolicy(), OnCallRotaKind()):
        register.add(kind.name, kind)
