"""The administrators' rule engine: ordered rules with conditions and actions."""
