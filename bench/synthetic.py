"""Synthetic partner clinics for the benchmarks (not a test): the text of a partners.yaml with
``n`` clinics, each with its own name, phone, website and address, all on the nonprofit's brand.
Written only into scratch copies of the project under the system's temporary folder."""
from __future__ import annotations


def partners_yaml(n: int) -> str:
    lines = ["base: open-leaflets", "partners:"]
    for i in range(n):
        lines += [f"  - id: clinic-{i:05d}", f"    name: Synthetic Clinic {i:05d}",
                  f'    phone: "+1 (555) 01{i % 10}-{i % 10000:04d}"',
                  f"    website: https://clinic-{i:05d}.example.org",
                  f"    address: {i + 1} Example Road, Sacramento, CA 95814"]
    return "\n".join(lines) + "\n"
