"""Pure, typed logic: no HTTP, no event shapes, no clients of its own."""
