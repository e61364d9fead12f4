"""/v1/conditions: condition pages with addressable sections."""

from schemas.queries import ConditionListArgs

from .entries import entry_blueprint

blp = entry_blueprint("condition", ConditionListArgs, "Conditions, with sections by stable key.")
