"""Helpers shared by the agency system (saraban) and the hub (ecms): environment settings,
Thai calendar and digit formatting, and the error hierarchy with stable codes."""
