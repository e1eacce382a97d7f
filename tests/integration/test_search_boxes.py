"""Search boxes drop control characters instead of answering 500."""

import pytest

# Found by the fuzz test on PostgreSQL while checking this branch (it refuses NUL in a parameter).

@pytest.mark.parametrize("url", ["/coordinate/accounts/?q=%00", "/coordinate/accounts/?q=%E5%BC%A0%00",
                                 "/coordinate/audit/?rider=%00", "/coordinate/audit/?rider=138%00"])
def test_a_nul_in_a_search_box_is_dropped_not_a_500(world, make_client, url):
    assert make_client(world.coordinator).get(url).status_code == 200
