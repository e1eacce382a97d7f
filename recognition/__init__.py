"""Recognition: scores, volunteer levels, pioneers and certificates of service (floor 5: reads the query
functions of the packages below it, never their tables)."""
