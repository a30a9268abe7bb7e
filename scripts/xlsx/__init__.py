"""Excel workbooks: ``read/`` takes an edited workbook back (archive checks, bounded readers,
import), ``write/`` makes one from the package (export); both speak :mod:`.ooxml` and agree on
the export state sheet through :mod:`.state`, and neither imports the other."""
