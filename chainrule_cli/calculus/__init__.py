"""The mathematics: steps of a derivation, the rules that build them, and their verification."""
