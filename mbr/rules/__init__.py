"""Rules: the catalogue, the text rules and the engine that applies them."""
