"""Pure domain: models, rules and errors. Imports nothing from AWS or Powertools."""
