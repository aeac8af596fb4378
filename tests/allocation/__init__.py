"""Allocation and reservations through the Inventory, on every store."""
