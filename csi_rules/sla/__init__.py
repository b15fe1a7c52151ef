"""SLA clocks: where a ticket stands against each of its SLAs at any instant, in business time."""
