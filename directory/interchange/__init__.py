"""Open Referral UK 3.0 (HSDS) in and out: the open-data API's documents, file exports and imports.

One module per job, each importing only modules above it in this list:

- `oruk`: the ORUK schemas, the version we speak, and the ids, codes and merge rule both ways share;
- `vocabularies`: taxonomies, terms, care pathways and a service's attributes as ORUK;
- `documents`: services with their organisation, locations, hours, areas and phones as ORUK JSON;
- `export`: every listed service to a JSON file; `csv_export`: the same as CSV for spreadsheets;
- `fields`: the import's field table: what it reads from each ORUK object, and each value's rule;
- `records`: an import file read into records, and the shapes a record is parsed into;
- `parse_locations` and `parse`: each record read and validated, its problems listed;
- `rows`: a new listing as plain table rows, with the revision and change-log entry it records;
- `current`: which records create listings from nothing, which change nothing, and which need the ORM;
- `stored`: what the database already holds for the ORM path's records, read in a few queries;
- `report`: what an import did, for its caller to tell;
- `apply`: the good records written to the database in one transaction, in batches.

The `hsds` commands are in `directory/commands/hsds.py`.
"""
