"""Selling through others: distributors and consignment shops, each with the stock
allocated to them, and their sales entered by hand or imported from their statements."""
