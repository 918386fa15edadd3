"""The rules of each InfluxQL dialect beyond the 1.x grammar (see ``..dialect``)."""
