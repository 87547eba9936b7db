"""Python workloads for runtime-arena: one module per workload plus the output protocol.

Owns: nothing but the package marker. Must not: run anything on import.
"""
