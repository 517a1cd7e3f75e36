"""Venues from the live providers: who is asked and how (providers), the polite, resumable fetch
(fetch), and the responses' raw table and landing (store)."""
