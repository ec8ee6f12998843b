"""Finding migration files on disk and learning how their migration tool runs them."""
