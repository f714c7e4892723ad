// Pasted CSV of candidates -> the rows POST /v1/invitations/bulk takes. RFC 4180 quoting
// (quoted fields may hold commas, quotes doubled and line breaks); commas, semicolons or tabs.
// A header row naming the columns (name/email, or candidate_name/candidate_email) is optional:
// without one the columns are name, email. Rows are sent as they are: the API checks each.

export interface CsvCandidate {
  candidate_name: string | null;
  candidate_email: string | null;
  [column: string]: string | null;
}

export function parseCsv(text: string): string[][] {
  const delimiter = guessDelimiter(text);
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field.trim() === "") {
      quoted = true;
      field = "";
    } else if (ch === delimiter) {
      row.push(field.trim());
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field.trim());
      if (row.some((f) => f !== "")) rows.push(row);
      row = [];
      field = "";
    } else field += ch;
  }
  row.push(field.trim());
  if (row.some((f) => f !== "")) rows.push(row);
  return rows;
}

function guessDelimiter(text: string): string {
  const first = text.split(/\r?\n/, 1)[0] ?? "";
  const counts = [",", ";", "\t"].map((d) => [d, first.split(d).length] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]?.[1] && counts[0][1] > 1 ? counts[0][0] : ",";
}

const NAME = /^(candidate[ _]?)?(full[ _]?)?name$/i;
const EMAIL = /^(candidate[ _]?)?e-?mail( address)?$/i;

export function candidatesFromCsv(text: string): CsvCandidate[] {
  const rows = parseCsv(text);
  if (rows.length === 0) return [];
  const head = rows[0] as string[];
  const hasHeader = head.some((h) => EMAIL.test(h)) || head.some((h) => NAME.test(h));
  const nameAt = hasHeader ? head.findIndex((h) => NAME.test(h)) : 0;
  const emailAt = hasHeader ? head.findIndex((h) => EMAIL.test(h)) : 1;
  return (hasHeader ? rows.slice(1) : rows).map((r) => ({
    candidate_name: nameAt >= 0 ? (r[nameAt] ?? null) || null : null,
    candidate_email: emailAt >= 0 ? (r[emailAt] ?? null) || null : null,
  }));
}
