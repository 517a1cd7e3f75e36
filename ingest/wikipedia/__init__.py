"""Wikipedia's list of postal codes: its parser (parse) and its raw tables and landing (store)."""
