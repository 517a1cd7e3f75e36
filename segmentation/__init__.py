"""Clustering and the map: the Python behind the dbt Python models (features, KMeans, model
selection, cluster map export). The dbt models in models/marts/*.py are thin wrappers."""
