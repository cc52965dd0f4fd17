"""Reports: the HTML/PDF brief assembled from capability sections."""
