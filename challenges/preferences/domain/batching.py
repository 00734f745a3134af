"""How many rows go into one bulk insert, one bulk update or one streamed chunk."""

BATCH_SIZE = 2000
