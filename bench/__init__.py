"""The ack-latency benchmark (`python -m bench.ack_latency`); not part of the installed package."""
