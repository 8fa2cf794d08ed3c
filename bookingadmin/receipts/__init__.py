"""Receipt numbering, frozen snapshots and PDF rendering (WeasyPrint)."""
