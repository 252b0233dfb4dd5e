"""sdkgen test suite."""
