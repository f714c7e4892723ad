// A recorded answer's way to S3 and into the interview, as the API defines it
// (shared/interviews/candidate_uploads.py):
// - small files: POST .../uploads -> a presigned POST (url + fields) -> the form posted straight
//   to S3 -> POST .../answer {upload_id};
// - large files: POST .../uploads/multipart -> POST .../parts (URLs of the parts still missing)
//   -> PUT every part (its ETag kept) -> POST .../uploads/{id}/complete {parts} -> POST .../answer.
// Every step is resumable: the Blob and the upload's state are kept (pending.ts) until the
// answer is accepted, so a reload or a dropped connection continues where it stopped.
import type { Api } from "../api/client";
import { ApiError, must, type Answer, type UploadType } from "./api";
import { dropPending, loadParts, savePending, saveParts, type PendingUpload } from "./pending";

/** Above this size a recording goes in parts (S3 parts are at least 5 MiB, but the last). */
export const MULTIPART_THRESHOLD = 20 * 1024 * 1024;
export const PART_SIZE = 8 * 1024 * 1024;
// Part URLs are asked for a few at a time: they expire, and the parts go one after another.
const URL_BATCH = 8;
// A presigned form or part URL this close to its expiry is not used any more.
const EXPIRY_MARGIN_MS = 60_000;

export type OnProgress = (sent: number, total: number) => void;

/** The network failed while sending to S3 (the upload can be resumed). */
export class TransferError extends Error {
  constructor(message: string, readonly status = 0) {
    super(message);
    this.name = "TransferError";
  }
}

export function newPending(key: string, blob: Blob, contentType: UploadType): PendingUpload {
  return { key, blob, contentType, requestKey: crypto.randomUUID() };
}

/** Upload `pending` (resuming what was done) and submit it as the question's answer. */
export async function submitRecording(
  api: Api,
  questionId: string,
  pending: PendingUpload,
  onProgress: OnProgress,
): Promise<Answer> {
  await savePending(pending);
  const uploadId =
    pending.uploaded ??
    (pending.blob.size > MULTIPART_THRESHOLD
      ? await sendMultipart(api, questionId, pending, onProgress)
      : await sendForm(api, questionId, pending, onProgress));
  if (!pending.uploaded) {
    pending.uploaded = uploadId;
    await savePending(pending);
  }
  onProgress(pending.blob.size, pending.blob.size);
  const answer = await must(
    api.POST("/v1/candidate/interview/questions/{question_id}/answer", {
      params: { path: { question_id: questionId } },
      body: { upload_id: uploadId },
    }),
  );
  await dropPending(pending);
  return answer;
}

function fresh(expiresAt: string | undefined): boolean {
  return !!expiresAt && Date.parse(expiresAt) - Date.now() > EXPIRY_MARGIN_MS;
}

async function sendForm(api: Api, questionId: string, pending: PendingUpload, onProgress: OnProgress): Promise<string> {
  if (!pending.ticket || !fresh(pending.ticket.expires_at)) {
    if (pending.ticket) pending.requestKey = crypto.randomUUID(); // an expired form: ask anew
    pending.ticket = await must(
      api.POST("/v1/candidate/interview/questions/{question_id}/uploads", {
        params: { path: { question_id: questionId }, header: { "Idempotency-Key": pending.requestKey } },
        body: { content_type: pending.contentType, size_bytes: pending.blob.size },
      }),
    );
    await savePending(pending);
  }
  const { url, fields } = pending.ticket;
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append("file", pending.blob, `answer.${extension(pending.contentType)}`); // the file goes last
  await send("POST", url, form, (loaded) => onProgress(loaded, pending.blob.size));
  return pending.ticket.upload_id;
}

async function sendMultipart(
  api: Api,
  questionId: string,
  pending: PendingUpload,
  onProgress: OnProgress,
): Promise<string> {
  if (!pending.multipartId || !fresh(pending.multipartExpiresAt)) {
    if (pending.multipartId) pending.requestKey = crypto.randomUUID();
    const started = await must(
      api.POST("/v1/candidate/interview/questions/{question_id}/uploads/multipart", {
        params: { path: { question_id: questionId }, header: { "Idempotency-Key": pending.requestKey } },
        body: { content_type: pending.contentType, size_bytes: pending.blob.size },
      }),
    );
    pending.multipartId = started.upload_id;
    pending.multipartExpiresAt = started.expires_at;
    await savePending(pending);
  }
  const uploadId = pending.multipartId;
  const size = pending.blob.size;
  const count = Math.ceil(size / PART_SIZE);
  const done = loadParts(uploadId);
  const bytesOf = (n: number): number => Math.min(PART_SIZE, size - (n - 1) * PART_SIZE);
  let sent = [...done.keys()].reduce((sum, n) => sum + bytesOf(n), 0);
  onProgress(sent, size);
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !done.has(n));
  for (let i = 0; i < missing.length; i += URL_BATCH) {
    const batch = missing.slice(i, i + URL_BATCH);
    const urls = await must(
      api.POST("/v1/candidate/interview/questions/{question_id}/uploads/{upload_id}/parts", {
        params: { path: { question_id: questionId, upload_id: uploadId } },
        body: { part_numbers: batch },
      }),
    );
    for (const part of urls.parts) {
      const start = (part.part_number - 1) * PART_SIZE;
      const chunk = pending.blob.slice(start, start + PART_SIZE);
      const xhr = await send("PUT", part.url, chunk, (loaded) => onProgress(sent + loaded, size));
      const etag = xhr.getResponseHeader("ETag");
      if (!etag) throw new TransferError("S3 did not return the part's ETag.");
      done.set(part.part_number, etag);
      saveParts(uploadId, done);
      sent += chunk.size;
      onProgress(sent, size);
    }
  }
  await must(
    api.POST("/v1/candidate/interview/questions/{question_id}/uploads/{upload_id}/complete", {
      params: { path: { question_id: questionId, upload_id: uploadId } },
      body: {
        parts: [...done.entries()].sort(([a], [b]) => a - b).map(([part_number, etag]) => ({ part_number, etag })),
      },
    }),
  );
  return uploadId;
}

/** XMLHttpRequest, not fetch: its upload events give the progress bar. */
function send(
  method: "POST" | "PUT",
  url: string,
  body: FormData | Blob,
  onLoaded: (loaded: number) => void,
): Promise<XMLHttpRequest> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onLoaded(Math.min(e.loaded, body instanceof Blob ? body.size : e.loaded));
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr);
      else reject(new TransferError(`The storage answered ${xhr.status}.`, xhr.status));
    };
    xhr.onerror = () => reject(new TransferError("The connection dropped during the upload."));
    xhr.ontimeout = xhr.onerror;
    xhr.send(body);
  });
}

function extension(contentType: UploadType): string {
  return contentType.endsWith("mp4") ? "mp4" : contentType.split("/")[1] ?? "bin";
}

/** What to tell the candidate when a submit failed, and whether retrying can help. */
export function uploadFailure(error: unknown): { text: string; retry: boolean } {
  if (error instanceof TransferError) {
    return { text: `${error.message} Your recording is kept on this device; try again.`, retry: true };
  }
  if (error instanceof ApiError) {
    const retry = error.status === 0 || error.status === 429 || error.status >= 500;
    return { text: error.message, retry };
  }
  return { text: "The upload failed. Your recording is kept on this device; try again.", retry: true };
}
