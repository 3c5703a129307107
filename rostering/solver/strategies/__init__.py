"""Research strategies, each a phase solve() may run before or after its own CP-SAT searches:
start.py (a first roster employee by employee), bound.py (a lower bound from pricing each
employee's plans apart), branch.py (branch-and-price on that bound), lns.py (re-planning
neighbourhoods of the best roster). Which run, and with what share of the limit, is the preset's
choice (rostering.solver.presets)."""
