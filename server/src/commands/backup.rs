//! `server backup FILE`: a consistent copy of the SQLite database, made
//! while the portal serves. Restoring is putting the file in the
//! database's place with the portal stopped (docs/configuration.md).

use std::path::Path;

use app::repo::{Db, Engine};

/// Why no backup was made.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} exists: a backup never overwrites a file")]
    Exists(String),
    #[error(
        "the portal backs up SQLite only; back PostgreSQL up with pg_dump (docs/configuration.md#backups)"
    )]
    Postgres,
    #[error("cannot create the folder of {0}: {1}")]
    Folder(String, std::io::Error),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// Copies the database to the new file `path`; returns its size in bytes.
pub async fn backup(db: &Db, path: &Path) -> Result<u64, BackupError> {
    if db.engine() == Engine::Postgres {
        return Err(BackupError::Postgres);
    }
    let shown = path.display().to_string();
    if path.exists() {
        return Err(BackupError::Exists(shown));
    }
    if let Some(folder) = path.parent().filter(|f| !f.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(|e| BackupError::Folder(shown.clone(), e))?;
    }
    db.backup_sqlite_to(path).await?;
    Ok(std::fs::metadata(path).map(|m| m.len()).unwrap_or(0))
}
