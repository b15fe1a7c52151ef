"""Short-window event correlation: N matching records on one service, CI or category within a window."""
