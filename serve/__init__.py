"""The serving layer (FastAPI); arrives with the serving issue."""
