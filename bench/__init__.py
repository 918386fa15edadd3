"""Side-by-side benchmark of tsdb against InfluxDB 1.6.7 (`python -m bench.compare`)."""
