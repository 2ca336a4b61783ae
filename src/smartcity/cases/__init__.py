"""The case system (案卷): workflow, categories, working-day deadlines; pure domain rules first."""
