"""`python -m vlmkit.world --out DIR [--n 300]`: rebuild the held-out test set (see dataset.py)."""

from vlmkit.world.dataset import main

raise SystemExit(main())
