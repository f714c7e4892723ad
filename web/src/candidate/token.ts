// The link token lives in the URL fragment (/interview#<token>): browsers never send a fragment
// to a server nor in a Referer. It is read once at start and kept in this tab's sessionStorage
// (a reload keeps the hash anyway); it goes nowhere else: not in a query, a path, a log or
// localStorage (pending uploads are keyed by the invitation's id instead).
const KEY = "interview.link";

export function readLinkToken(): string | null {
  const fromHash = decodeFragment(location.hash);
  if (fromHash) {
    sessionStorage.setItem(KEY, fromHash);
    return fromHash;
  }
  return sessionStorage.getItem(KEY);
}

function decodeFragment(hash: string): string {
  const raw = hash.startsWith("#") ? hash.slice(1) : hash;
  try {
    return decodeURIComponent(raw).trim();
  } catch {
    return raw.trim();
  }
}
