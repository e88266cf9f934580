"""Alembic environment: runs on the engine handed over by `storage.db`.

On SQLite, a migration that changes a constraint rebuilds the table (batch mode: copy, drop,
rename), which other tables' foreign keys would refuse. So, as SQLite's documentation for
schema changes says, foreign keys are off while migrations run, every foreign key is checked
before they commit, and they are back on before the connection goes back to the pool.
"""

from alembic import context

from storage.models import Base

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Outside any transaction: SQLite ignores this PRAGMA inside one.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
    try:
        with connection.begin():
            context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"a migration broke foreign keys: {broken[:5]}")
    finally:
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys = ON")
