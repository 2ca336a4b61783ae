"""The kernel every part stands on: settings, storage, errors, clock and ids."""
