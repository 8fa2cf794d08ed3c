"""Read-only aggregates for the dashboard and the analytics page.

Every figure is computed by SQL (GROUP BY over bookings or over the rollup tables), never by a
Python loop over booking rows. Heavy charts read the rollup tables (`models.py`), which
`flask refresh-analytics` (or `rollup.refresh_analytics`) fills from the bookings.
"""
