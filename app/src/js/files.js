// Files from a drop, with folders walked recursively; each comes with its path relative to the
// dropped item (`AWSLogs/123456789012/CloudTrail/...`), which becomes `log.source`.
// DataTransfer items must be read before the first await, so entries are taken up front.
export async function filesFromDataTransfer(dt) {
  const items = dt.items ? [...dt.items].filter((i) => i.kind === "file") : [];
  const entries = items.map((i) => (i.webkitGetAsEntry ? i.webkitGetAsEntry() : null));
  const plain = items.map((i) => i.getAsFile());
  const out = [];
  async function walk(entry, prefix) {
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
      out.push({ file, path: prefix + file.name });
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const e of batch) await walk(e, prefix + entry.name + "/");
      }
    }
  }
  for (let k = 0; k < items.length; k++) {
    if (entries[k]) await walk(entries[k], "");
    else if (plain[k]) out.push({ file: plain[k], path: plain[k].name });
  }
  if (items.length === 0 && dt.files) {
    for (const f of dt.files) out.push({ file: f, path: f.name });
  }
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}

// Files picked with <input type=file> (webkitdirectory keeps folder paths).
export function filesFromInput(input) {
  const out = [...(input.files || [])].map((f) => ({ file: f, path: f.webkitRelativePath || f.name }));
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}
