// The replies of the page's Workers (worker.js, dicom-worker.js), each naming the request it answers:
// {requestId, progress} along the way, then {requestId, ok: true, result} or {requestId, ok: false, error: {name, message}}.

// Settles (or reports the progress of) the request in `pending` (requestId -> {resolve, reject, onProgress}) that
// `data` answers; the error keeps the name the Worker gave it (FileError, FormatError, ...).
export function settleReply(pending, data) {
  const request = pending.get(data.requestId);
  if (!request) return;
  if (data.progress) {
    request.onProgress?.(data.progress);
    return;
  }
  pending.delete(data.requestId);
  if (data.ok) {
    request.resolve(data.result);
  } else {
    const error = new Error(data.error.message);
    error.name = data.error.name;
    request.reject(error);
  }
}

// Fails every request still waiting on a Worker that died.
export function failPending(pending, message) {
  const error = new Error(message);
  for (const request of pending.values()) request.reject(error);
  pending.clear();
}
