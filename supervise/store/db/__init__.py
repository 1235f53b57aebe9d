"""The database: tables, migrations, the SQLCipher backend, opening, backup and restore."""
