// A recorded answer not yet accepted by the API is kept in IndexedDB (the Blob itself) until its
// answer is submitted, so a reload, a crash or a dropped connection resumes the same upload with
// the same link. Completed multipart parts (their ETags) are remembered in localStorage.
// Keys are the invitation's and question's ids, never the link token.
import type { PresignedPost, UploadType } from "./api";

export interface PendingUpload {
  key: string; // `${invitationId}/${questionId}`
  blob: Blob;
  contentType: UploadType;
  /** Idempotency-Key of the request that creates the upload (a retried request gets the same). */
  requestKey: string;
  /** The presigned POST (small files), reusable until it expires. */
  ticket?: PresignedPost;
  /** The multipart upload (large files). */
  multipartId?: string;
  multipartExpiresAt?: string;
  /** An upload whose object is complete in S3 (only the answer is left to submit). */
  uploaded?: string;
}

const DB = "interview-uploads";
const STORE = "pending";

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "key" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run<T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = action(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

export function pendingKey(invitationId: string, questionId: string): string {
  return `${invitationId}/${questionId}`;
}

export async function loadPending(key: string): Promise<PendingUpload | undefined> {
  try {
    return (await run("readonly", (s) => s.get(key))) as PendingUpload | undefined;
  } catch {
    return undefined; // private browsing without IndexedDB: nothing to resume
  }
}

export async function savePending(upload: PendingUpload): Promise<void> {
  try {
    await run("readwrite", (s) => s.put(upload));
  } catch {
    // Without IndexedDB the upload still works; it just cannot survive a reload.
  }
}

export async function dropPending(upload: PendingUpload): Promise<void> {
  if (upload.multipartId) localStorage.removeItem(partsKey(upload.multipartId));
  try {
    await run("readwrite", (s) => s.delete(upload.key));
  } catch {
    // nothing stored
  }
}

function partsKey(uploadId: string): string {
  return `upload-parts/${uploadId}`;
}

/** The completed parts of a multipart upload: part number -> ETag. */
export function loadParts(uploadId: string): Map<number, string> {
  try {
    const raw = JSON.parse(localStorage.getItem(partsKey(uploadId)) ?? "{}") as Record<string, string>;
    return new Map(Object.entries(raw).map(([n, etag]) => [Number(n), etag]));
  } catch {
    return new Map();
  }
}

export function saveParts(uploadId: string, parts: Map<number, string>): void {
  localStorage.setItem(partsKey(uploadId), JSON.stringify(Object.fromEntries(parts)));
}
