// Intentionally empty: nothing in Node loads the packages this replaces (package.json overrides).
