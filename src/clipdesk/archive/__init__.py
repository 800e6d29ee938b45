"""Legacy archive import: parsing old clipping pages into posts (parsing.py), storing them."""
