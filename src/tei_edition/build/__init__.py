"""The build pipeline: gather, transform, render and write the HTML and PDF editions."""
