"""What the business sells (consultation types with duration/price options) and who delivers it."""
