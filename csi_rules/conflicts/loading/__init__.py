"""Reading change schedules (JSON lines, or CSV through a column mapping) and CMDB graphs."""
