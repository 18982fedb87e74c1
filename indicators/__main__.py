"""`python -m indicators`: the command line."""
import sys

from indicators.cli.main import main

sys.exit(main())
