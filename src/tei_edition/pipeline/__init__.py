"""The build pipeline: discover, parse, validate, gather, gate, transform, render, write."""
