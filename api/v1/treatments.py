"""/v1/treatments: treatment options, filterable by kind and condition."""

from schemas.queries import TreatmentListArgs

from .entries import entry_blueprint

blp = entry_blueprint("treatment", TreatmentListArgs, "Treatment options and what to expect.")
