"""One module per conflict check; each turns bookings and its settings into Conflict records."""
