"""Code that validates, exports and releases the Central Asian cooperation data package."""
