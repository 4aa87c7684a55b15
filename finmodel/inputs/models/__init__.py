"""The assumption file as frozen pydantic models: validated once, at the edge.

- :mod:`~finmodel.inputs.models.base`: the base model, constrained numbers and texts, sources;
- :mod:`~finmodel.inputs.models.vehicle`: a vehicle and its parts;
- :mod:`~finmodel.inputs.models.pool`: the frozen-asset pool, its holdings and carve-outs;
- :mod:`~finmodel.inputs.models.scenario`: a whole scenario, :class:`Assumptions`, which runs
  the cross-field checks (:mod:`finmodel.inputs.checks`) when it is validated.

(Nothing is imported here: a module imports the one it needs.)
"""
