//! Files and folders that only their owner may read: on Unix, folders `0700` and files
//! `0600`, whatever the umask; elsewhere the user's profile folders already are private
//! (Windows ACLs of `%APPDATA%`, macOS `~/Library`), so nothing is changed there.

use std::io;
use std::path::Path;

/// Creates `dir` (and its parents) if needed and makes it private to its owner.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Creates `file` empty if it does not exist (created `0600`, never readable by others even
/// for an instant) and makes an existing one private.
pub fn private_file(file: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    drop(options.open(file)?);
    restrict_if_present(file)
}

/// Makes `file` private if it exists (SQLite's `-wal` and `-shm` companions).
pub fn restrict_if_present(file: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600)) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            other => other?,
        }
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}
