"""Vendor intake, model cards, the MLflow registry and isolated execution of vendor models.

Public modules (import them directly; this package imports nothing, so the
isolated child stays light):

- :mod:`models.service` — ``submit_model``, ``list_models``, ``show_model``,
  ``score_version``, ``transition_trial``, ``set_approved_alias``,
  ``remove_approved_alias``, ``delete_version``.
- :mod:`models.card` — the model card schema and field-by-field errors.
- :mod:`models.registry` — the only module that imports mlflow (besides the
  self-contained sandbox child ``models/_child.py``, which loads vendor pyfuncs).
- :mod:`models.isolation` — running vendor code (MLflow, ONNX) only in the bubblewrap sandbox.
- :mod:`models.trials` — the trial lifecycle.
- :mod:`models.demo` — ``seed_demo(demo_dir)`` for the demo world.
"""

__all__: list[str] = []
