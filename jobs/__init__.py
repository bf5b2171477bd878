"""RQ jobs: ``jobs.solve`` (the solve worker, no database) and ``jobs.store``."""
