"""Benchmarks: ``python -m src.bench {oracle,data,train,all}`` (also ``make bench``)."""
