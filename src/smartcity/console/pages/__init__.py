"""The console's pages, one module a page family; each module has a `router`."""
