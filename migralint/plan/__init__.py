"""The expand/contract planner: a risky change → expand, migrate and contract phases."""
