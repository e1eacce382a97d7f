"""Small helpers shared by every feature package; imports nothing from them."""
