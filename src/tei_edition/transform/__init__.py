"""TEI to HTML bodies with XSLT 3.0 (Saxon)."""
