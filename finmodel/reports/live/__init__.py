"""The live Excel model: formulas from the Inputs sheet to every party's totals, NPV and IRR."""
