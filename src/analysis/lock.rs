//! The writer's lock: an flock(2) on `OUT/.lock`, which names its holder.
//!
//! The kernel releases the lock when its holder exits, however it exits (SIGKILL
//! included), so a dead run never blocks the next one; its leftovers are then removed by
//! whoever takes the lock. The file itself is never removed (removing a lock file races
//! with someone opening it).

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::Path;

use fs4::fs_std::FileExt;

use super::{Error, LOCK};

/// Held while a run writes; released when dropped (or when the process dies).
#[derive(Debug)]
pub(super) struct WriteLock {
    _file: File,
}

impl WriteLock {
    /// Takes the lock of the folder `root`: at once, or after waiting when `waiting` is
    /// given (it is told who holds the lock first).
    pub(super) fn take(
        root: &Path,
        waiting: Option<&mut dyn FnMut(&str)>,
    ) -> Result<WriteLock, Error> {
        let path = root.join(LOCK);
        let io = |source| Error::Io {
            path: path.clone(),
            source,
        };
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        if !file.try_lock_exclusive().map_err(io)? {
            let owner = holder(&mut file);
            match waiting {
                None => {
                    return Err(Error::Locked {
                        root: root.to_path_buf(),
                        owner,
                    });
                }
                Some(notice) => {
                    notice(&owner);
                    file.lock_exclusive().map_err(io)?;
                }
            }
        }
        // Say who holds it, for the message of whoever comes next.
        let mut holder = format!(
            "pid {}, started {}",
            std::process::id(),
            chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC")
        );
        let command: Vec<String> = std::env::args().collect();
        if !command.is_empty() {
            holder.push_str(": ");
            holder.push_str(&command.join(" "));
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        file.write_all(holder.as_bytes()).map_err(io)?;
        Ok(WriteLock { _file: file })
    }
}

/// Who holds the lock, as they wrote it (they may not have yet).
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.rewind().and_then(|_| file.read_to_string(&mut text));
    let text = text.trim();
    if text.is_empty() {
        "another koe analyze, just starting".to_string()
    } else {
        text.chars().take(300).collect()
    }
}
