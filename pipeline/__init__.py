"""CSR North-West project catalogue pipeline."""
