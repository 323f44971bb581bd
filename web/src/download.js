// Hands the user a file made in the page (a CSV, a JSON, a NIfTI): a Blob behind a temporary link, clicked once, its
// URL released after the browser has had time to start the download.
export function downloadFile(name, data, type) {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
