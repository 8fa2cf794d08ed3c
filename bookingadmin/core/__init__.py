"""Small shared plumbing: UTC datetimes, money, the clock, domain errors."""
