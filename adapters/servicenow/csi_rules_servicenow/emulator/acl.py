"""Write ACLs: who may create, update or delete rows of which tables.

Platform knowledge (pk), not in the docs here: on an instance the user and group tables
(`sys_user`, `sys_user_group`, membership and role rows) are written only by `user_admin`,
SLA definitions only by `sla_admin`; `admin` passes every check. Tables not listed are open
to any authenticated user, as before. A refused write answers 403 "Operation Failed" with
"ACL Exception <Operation> Failed due to security constraints" (pk wording, *unverified*
against a live instance; the 403 for ACL failures is r_RESTAPIHTTPResponseCodes.md).
"""

from __future__ import annotations

from typing import Final

from csi_rules_servicenow.emulator.security import User

_USER_TABLES = ("sys_user", "sys_user_group", "sys_user_grmember", "sys_user_has_role",
                "sys_group_has_role")
WRITE_ROLES: Final[dict[str, tuple[str, ...]]] = {
    **{table: ("user_admin",) for table in _USER_TABLES},
    "contract_sla": ("sla_admin",),
}
OPERATION: Final = {"POST": "Insert", "PATCH": "Update", "PUT": "Update", "DELETE": "Delete"}


def denied(user: User, method: str, table: str) -> str | None:
    """The error detail when `user` may not `method` rows of `table`, else None."""
    roles = WRITE_ROLES.get(table)
    if method not in OPERATION or roles is None or user.has_role(*roles):
        return None
    return f"ACL Exception {OPERATION[method]} Failed due to security constraints"
