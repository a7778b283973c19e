"""The label's indicators (issue 11): what they are, how they are counted, and their charts.

`indicators` holds the pure rules (no Flask, no database), `queries` the aggregate SQL
that feeds them, `dashboard` puts the two together, `visits` counts release-page
visitors without cookies and `charts` draws inline SVG."""
