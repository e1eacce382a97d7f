"""Demo data for Zhangjiagang (floor 5): ``data`` holds what is shown, ``load`` makes it through the services."""
