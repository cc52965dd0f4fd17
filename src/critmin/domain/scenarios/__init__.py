"""Scenario models: export-restriction shocks, sourcing optimisation, contract & FX
economics, sea routes and import-dependence projections.

Everything here is pure (no file or warehouse I/O): services read the warehouse
and pass plain DataFrames and numbers in.
"""
