"""The Haitang pass (海棠通道): a rider's day pass for partner buildings, checked by the building's staff.

A partner building is a station of kind ``building`` (``stations``); this package keeps who checks passes
there (:class:`passes.models.BuildingStaff`), the entries they record (:class:`passes.models.PassEntry`, one per
rider, building and local day), the signed day-pass token and short code (``passes/tokens.py``) and the
figures. Floor 5: it reads accounts and stations.
"""
