// What a drop or a file chooser hands the page, as [{path, file}]: a folder's files with their paths under it (a drop
// through DataTransferItem.webkitGetAsEntry, read recursively; a chooser with webkitdirectory through
// webkitRelativePath), loose files under their own names.

// `transfer`: the drop event's DataTransfer. Its items must be read during the event, before any await: this does
// so before it returns its promise.
export function droppedFiles(transfer) {
  const entries = [...(transfer.items ?? [])].map((item) => item.webkitGetAsEntry?.()).filter(Boolean);
  if (!entries.some((entry) => entry.isDirectory)) return Promise.resolve(chosenFiles(transfer.files));
  return Promise.all(entries.map(filesUnder)).then((lists) => lists.flat());
}

export function chosenFiles(fileList) {
  return [...fileList].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
}

async function filesUnder(entry) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    return [{ path: entry.fullPath.replace(/^\//, ''), file }];
  }
  const reader = entry.createReader();
  const children = [];
  // readEntries gives a directory's entries a batch at a time (100 in Chromium) until it gives none.
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    children.push(...batch);
  }
  return (await Promise.all(children.map(filesUnder))).flat();
}
