"""Trade pictures: totals, explaining product detail, coverage and source reconciliation (pure)."""
