"""Live processes with people in the room: the weighting workshop (join codes, phones, hidden until the reveal),
rating rounds of third-party raters (raters.py) and Delphi expert rounds (delphi.py)."""
