"""The print editions: PDFs set by Typst (or WeasyPrint for HTML print templates)."""
