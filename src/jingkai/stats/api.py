from ninja import Router

# /api/stats/imports…: upload, preview and commit of the monthly workbook.
router = Router(tags=["stats"])
