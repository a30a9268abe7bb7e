"""Writing the package as a workbook: scan, sheets, styles, guide, chart, row streaming, export."""
