"""Live processes with people in the room: the weighting workshop (join codes, phones, hidden until the reveal)."""
