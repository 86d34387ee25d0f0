//! Where koe keeps what it builds or installs once per machine (the Japanese dictionary,
//! the sentence encoder's weights): `$XDG_CACHE_HOME/koe`, else `~/.cache/koe`, else a
//! `koe` folder in the temporary directory. Each user of it also honours an environment
//! variable naming its own folder.

use std::path::PathBuf;

/// koe's cache folder (not created here).
pub fn dir() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("koe")
}
