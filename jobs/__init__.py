"""dramatiq actors and the scheduler: thin wrappers that carry ids to ``bridge`` use cases."""
