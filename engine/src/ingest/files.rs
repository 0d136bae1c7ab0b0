//! Files and folders from disk (the CLI; a browser hands the loader bytes instead): folders in
//! name order, each read once whatever symbolic links point at it, special files skipped.

use super::{FileReport, Loader, Shape};

impl Loader {
    /// Loads a file or a folder (recursively, in name order). `log.source` is the path from the
    /// named folder on (`AWSLogs/123456789012/CloudTrail/…`), as a browser names dropped folders,
    /// so results do not depend on where the data sits. Symbolic links are followed, but each
    /// folder is read once (a link back up the tree, or many links to one folder, are reported,
    /// not walked forever or again and again), and what
    /// is not a regular file or folder (a FIFO, socket or device, which could block forever) is
    /// skipped with a notice. A file that cannot be read is reported; the rest still loads.
    pub fn add_path(&mut self, path: &std::path::Path) -> std::io::Result<()> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .or_else(|| {
                std::fs::canonicalize(path)
                    .ok()
                    .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            })
            .unwrap_or_else(|| path.to_string_lossy().into_owned());
        let mut seen = Vec::new();
        self.add_path_as(path, &name, &mut seen)
    }

    fn add_path_as(
        &mut self,
        path: &std::path::Path,
        name: &str,
        seen: &mut Vec<FolderId>,
    ) -> std::io::Result<()> {
        let meta = std::fs::metadata(path)?;
        if meta.is_dir() {
            let id = folder_id(path, &meta);
            if seen.contains(&id) {
                let mut f = FileReport::new(name);
                f.shape = Shape::Unreadable;
                f.notice(
                    "a folder already read (reached again through a symbolic link): not read twice",
                );
                self.report.push(f);
                return Ok(());
            }
            seen.push(id);
            let mut entries: Vec<_> = std::fs::read_dir(path)?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .collect();
            entries.sort();
            for e in entries {
                let Some(file_name) = e.file_name().map(|n| n.to_string_lossy().into_owned())
                else {
                    continue;
                };
                if file_name.starts_with('.') {
                    continue;
                }
                let child = format!("{name}/{file_name}");
                if let Err(err) = self.add_path_as(&e, &child, seen) {
                    let mut f = FileReport::new(&child);
                    f.shape = Shape::Unreadable;
                    f.problem(None, format!("cannot read: {err}"));
                    self.report.push(f);
                }
            }
            Ok(())
        } else if meta.is_file() {
            let file = std::fs::File::open(path)?;
            self.add_reader(name, file);
            Ok(())
        } else {
            let mut f = FileReport::new(name);
            f.shape = Shape::Unreadable;
            f.notice("not a regular file or folder (a FIFO, socket or device): skipped");
            self.report.push(f);
            Ok(())
        }
    }
}

/// What identifies a folder on disk, to read each once: device and inode where the system has
/// them, else the canonical path.
#[cfg(unix)]
type FolderId = (u64, u64);
#[cfg(not(unix))]
type FolderId = std::path::PathBuf;

#[cfg(unix)]
fn folder_id(_: &std::path::Path, meta: &std::fs::Metadata) -> FolderId {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn folder_id(path: &std::path::Path, _: &std::fs::Metadata) -> FolderId {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}
