"""Run the smartcity command as `python -m smartcity`."""

from smartcity.cli import main

main()
