"""Reading pages: format detection, metadata, boilerplate removal. Pure: no database."""
