"""Full-text search: a query language parsed into a tree, compiled per engine; one interface."""
