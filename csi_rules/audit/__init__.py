"""The decision and audit log: hash-chained entries, verification, explanation and export."""

from csi_rules.audit.chain import GENESIS, VerifyResult, canonical_json, chain_hash, verify

__all__ = ["GENESIS", "VerifyResult", "canonical_json", "chain_hash", "verify"]
