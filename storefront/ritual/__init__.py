"""The weekly ritual: the seed's six Monday checks (stock and returns, preorders, ads,
press and radio, fan support, shop quality), each with what changed in the week, what
is red, and where to act; shown in the admin and mailed to the admins on Mondays."""
