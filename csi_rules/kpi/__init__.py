"""KPI trend triggers: 'breached N consecutive periods' opens an improvement review (the CSI loop)."""
