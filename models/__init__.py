"""Rules and learned edge models that score parameter edges."""
