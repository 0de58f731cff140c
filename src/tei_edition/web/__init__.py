"""The HTML edition: pages rendered with Jinja2 from the gathered edition and the transformed bodies."""
