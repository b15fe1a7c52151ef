"""Change governance: CAB routes, CAB meetings, go/no-go gates."""
