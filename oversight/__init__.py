"""What superiors and auditors look at (floor 5): the journal page and the books check."""
