"""``python3 -m bench.dnslab``: the lab's command line (same as ``bench/dnslab/dnslab.py``)."""

import sys

from bench.dnslab.dnslab import main

sys.exit(main())
