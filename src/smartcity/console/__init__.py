"""The web pages: operations centre, citizen portal, open data portal and administration."""
