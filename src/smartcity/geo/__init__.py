"""The city model: districts, streets, communities, unit grid cells, departments, point lookup."""
