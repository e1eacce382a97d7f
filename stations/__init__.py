"""Rest stations (暖新窝) and other places riders can find near them."""
