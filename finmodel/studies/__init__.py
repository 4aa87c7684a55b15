"""Studies: a run, sweeps, the tornado, comparisons, simulations, solving, sensitivity: as data."""
