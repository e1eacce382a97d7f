"""Problem reports from the road: departments, categories, reports with photos, their workflow and Open311."""
