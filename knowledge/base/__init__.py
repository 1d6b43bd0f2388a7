"""The knowledge base: the entry schema, its storage and revisions, what a desk holds of it
(the catalogue), import and export, health checks, and the legal-basis line."""
