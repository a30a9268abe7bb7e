"""Reading an edited workbook: archive checks, the streaming and fast readers, the import."""
