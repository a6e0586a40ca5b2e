"""Each portal's landing page."""
