"""Five accounting-package simulators, each its own HTTP server speaking its real package's API shape."""
