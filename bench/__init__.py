"""Benchmarks and the DNS lab; importable from the repository root (``import bench.dnslab``)."""
