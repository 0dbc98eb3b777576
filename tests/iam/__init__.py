"""Least privilege, proven: every AWS call the functions make is recorded while the tests run and checked
against the function's role as SAM would create it (``policies``), and every permission a role holds must be
used by some call (``coverage``). ``actions`` turns an API call into the IAM actions and resources AWS checks."""
