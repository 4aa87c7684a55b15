"""Inputs: assumption files read, validated and compiled into the engine's arrays."""
